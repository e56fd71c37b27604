// Labels the program puts on what it derives from the catalog, and that the
// policies judge. Dependency-free, like the rest of contract/.

/** How a volume's data is protected: `critical` local and offsite, `local` on the host only, `none` said out loud. */
export const backupLabel = "homelab.io/backup";
export const backupClasses = ["critical", "local", "none"] as const;
export type BackupClass = (typeof backupClasses)[number];

/** Who may reach a route: `sso` family through Authentik, `native` the app's own accounts, `admin` group admin only, `public` anyone. */
export const authTierLabel = "homelab.io/auth-tier";
export const authTiers = ["sso", "native", "admin", "public"] as const;
export type AuthTier = (typeof authTiers)[number];

/** The catalog entry an object belongs to. */
export const serviceLabel = "homelab.io/service";

/**
 * Authentik's groups that access decisions name: `admin` (every admin app),
 * `family-validated` (the family's SSO apps) and `gamers` (who may start the
 * gaming VM: the launch page admits them and the admin; they are family too).
 */
export const accessGroups = { admin: "admin", family: "family-validated", gamers: "gamers" } as const;

/** Marks an SSO gate's objects (oauth2-proxy's ConfigMap, Deployment and Service); the value is the gate's name. */
export const ssoGateLabel = "homelab.io/sso-gate";
/** The key of a gate's ConfigMap that holds oauth2-proxy's configuration. */
export const ssoGateConfigKey = "oauth2-proxy.cfg";
