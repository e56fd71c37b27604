// Who is who in Authentik: the two groups every access decision names. The
// blueprints create them, the SSO proxies admit them, the edge's Access
// policies match them; all read these constants.
import { accessGroups, type AuthTier } from "../../contract/labels";

/** `admin`: the administrator(s), every admin app, MFA required. `family`: family members an admin has checked, the family's SSO apps. */
export const groups = accessGroups;

export type GroupName = (typeof groups)[keyof typeof groups];

/**
 * The groups an SSO proxy admits for a tier; none for the tiers that keep the
 * app's own login (`native`) or none at all (`public`). An admin is family too.
 */
export function allowedGroups(tier: AuthTier): GroupName[] {
  switch (tier) {
    case "sso":
      return [groups.family, groups.admin];
    case "admin":
      return [groups.admin];
    default:
      return [];
  }
}
