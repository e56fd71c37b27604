// What runs the gaming VM on demand (story 6.1.3): a Proxmox user of its
// own with two privilege-separated API tokens and the narrowest roles that
// do the job (components/gaming/access.ts), the DEV pool whose VMs the
// control may stop for gaming mode, and the host's idle watcher, which shuts
// the VM down when nobody plays (components/gaming/idleWatch.ts).
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { GamingVmConfig } from "../config/schema";
import { GamingRole, GamingToken, devPool, fullToken, gamingGrants, gamingRoles, gamingTokens, gamingUser } from "./gaming/access";
import { idleSettingsFile, idleWatchRemoval, idleWatchStep } from "./gaming/idleWatch";

export interface GamingControlArgs {
  provider: proxmox.Provider;
  nodeName: string;
  vmId: number;
  idle: GamingVmConfig["idleShutdown"];
  /** The host's own API port (the idle watcher calls it on loopback). */
  apiPort: number;
  /** SSH to the host, as HypervisorHost configures it. */
  connection: { host: string; user: string; privateKey: pulumi.Input<string> };
  /** ntfy's publish URL of the gaming topic, and a token that may write to it (secret). */
  ntfy: { url: string; token: pulumi.Input<string> };
}

export class GamingControl extends pulumi.ComponentResource {
  /** The control token, `homelab-gaming@pve!control=<secret>` (secret): PROXMOX_GAMING_TOKEN and the launch page. */
  readonly controlToken: pulumi.Output<string>;
  readonly devPool: string;

  constructor(name: string, args: GamingControlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:GamingControl", name, {}, opts);
    const child = { parent: this, provider: args.provider };

    const roles = Object.fromEntries(
      (Object.keys(gamingRoles) as GamingRole[]).map((role) => [role, new proxmox.RoleLegacy(`${name}-role-${role}`, { roleId: role, privileges: [...gamingRoles[role]] }, child)]),
    ) as Record<GamingRole, proxmox.RoleLegacy>;
    const pool = new proxmox.PoolLegacy(`${name}-dev-pool`, { poolId: devPool, comment: "DEV's VMs: the gaming control may shut them down for gaming mode (managed by homelab)" }, child);
    // No password: the user cannot sign in, only its tokens authenticate.
    const user = new proxmox.UserLegacy(`${name}-user`, { userId: gamingUser, enabled: true, comment: "The gaming VM's on-demand control (managed by homelab)" }, child);
    const tokens = Object.fromEntries(
      (Object.keys(gamingTokens) as GamingToken[]).map((token) => [
        token,
        new proxmox.user.Token(
          `${name}-token-${token}`,
          { userId: user.userId, tokenName: gamingTokens[token], privilegesSeparation: true, comment: `homelab gaming ${token}` },
          // The provider returns the secret only when it creates the token and forgets it on any
          // update, so nothing may ever change it in place: a new comment would empty the value.
          { ...child, ignoreChanges: ["comment", "expirationDate"] },
        ),
      ]),
    ) as Record<GamingToken, proxmox.user.Token>;

    const acls = gamingGrants(args.vmId).map(
      (g) =>
        new proxmox.Acl(
          `${name}-acl-${g.key}`,
          {
            path: g.path,
            roleId: roles[g.role].roleId,
            propagate: g.propagate,
            ...(g.token ? { tokenId: pulumi.interpolate`${tokens[g.token].userId}!${tokens[g.token].tokenName}` } : { userId: user.userId }),
          },
          { ...child, dependsOn: g.path.startsWith("/pool/") ? [pool] : [] },
        ),
    );

    const token = (t: GamingToken) => pulumi.secret(tokens[t].value.apply((v) => fullToken(t, v)));
    this.controlToken = token("control");
    this.devPool = devPool;

    const settings = pulumi.secret(
      pulumi.all([token("idle"), args.ntfy.token]).apply(([pveToken, ntfyToken]) =>
        idleSettingsFile({ api: `https://127.0.0.1:${args.apiPort}/api2/json`, node: args.nodeName, vmId: args.vmId, ntfyUrl: args.ntfy.url }, args.idle, { pveToken, ntfyToken }),
      ),
    );
    const script = idleWatchStep();
    // Idempotent: a changed script or new settings are an update that runs it again. Removing the
    // control stops and removes the watcher; were it ever replaced, the old one's removal must run
    // before the new one installs, or it would undo it.
    new command.remote.Command(
      `${name}-idle-watch`,
      { connection: { ...args.connection, privateKey: pulumi.secret(args.connection.privateKey) }, create: script, update: script, delete: idleWatchRemoval(), stdin: settings },
      { parent: this, dependsOn: acls, deleteBeforeReplace: true },
    );

    this.registerOutputs({ controlToken: this.controlToken, devPool: this.devPool });
  }
}
