// Who is an Omni admin: a SAMLLabelRule (applied with omnictl) that gives
// Omni's Admin role to whoever Authentik's assertion labels omni-admin (the
// blueprint's role mapping: members of group admin), again at each login so
// leaving the group takes the role away. Everyone else gets no role.
import { stringify } from "yaml";

export const omniAdminRoleLabel = "saml.omni.sidero.dev/role/omni-admin";

export function omniAdminLabelRule(): string {
  return stringify({
    metadata: { namespace: "default", type: "SAMLLabelRules.omni.sidero.dev", id: "homelab-admins" },
    spec: { assignrole: "Admin", matchlabels: [omniAdminRoleLabel], updateoneachlogin: true },
  });
}
