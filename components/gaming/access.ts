// Who may do what to the gaming VM through Proxmox's API (Proxmox VE 9
// privilege names: VM.Monitor is gone, the guest agent has its own). One
// user without a password, two API tokens with privilege separation, so a
// token holds only what its own ACLs grant (intersected with the user's):
//   control  the command and the launch page: list VMs (the memory check),
//            start, stop and ask the agent about the gaming VM, and stop
//            DEV's VMs, which join the DEV pool (the dev stack puts them there)
//   idle     the host's idle watcher: also runs nvidia-smi in the guest
//            (guest-exec, which needs VM.GuestAgent.Unrestricted) for the GPU
//            load, so it stays on the host, readable by root only.

export const gamingUser = "homelab-gaming@pve";
export const gamingTokens = { control: "control", idle: "idle" } as const;
export type GamingToken = keyof typeof gamingTokens;
/** The pool the dev stack's VMs join, so the control token may shut them down for gaming mode. */
export const devPool = "homelab-dev";

export const gamingRoles = {
  HomelabGamingList: ["VM.Audit"],
  HomelabGamingControl: ["VM.Audit", "VM.GuestAgent.Audit", "VM.PowerMgmt"],
  HomelabGamingIdle: ["VM.Audit", "VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted", "VM.PowerMgmt"],
  HomelabGamingDevStop: ["VM.Audit", "VM.PowerMgmt"],
} as const;
export type GamingRole = keyof typeof gamingRoles;

export interface GamingGrant {
  /** Stable part of the ACL's logical name. */
  key: string;
  path: string;
  role: GamingRole;
  /** The token the ACL is for; absent for the user itself. */
  token?: GamingToken;
  propagate: boolean;
}

/** The full token ID Proxmox authenticates: <user>@<realm>!<token name>. */
export const tokenId = (token: GamingToken) => `${gamingUser}!${gamingTokens[token]}`;

/**
 * Every ACL, the user's first: a privilege-separated token holds what both
 * its ACL and its user's grant, so the user holds the widest of each path.
 */
export function gamingGrants(vmId: number): GamingGrant[] {
  const vm = `/vms/${vmId}`;
  const pool = `/pool/${devPool}`;
  return [
    { key: "user-list", path: "/vms", role: "HomelabGamingList", propagate: true },
    { key: "user-vm", path: vm, role: "HomelabGamingIdle", propagate: false },
    { key: "user-dev", path: pool, role: "HomelabGamingDevStop", propagate: true },
    { key: "control-list", path: "/vms", role: "HomelabGamingList", token: "control", propagate: true },
    { key: "control-vm", path: vm, role: "HomelabGamingControl", token: "control", propagate: false },
    { key: "control-dev", path: pool, role: "HomelabGamingDevStop", token: "control", propagate: true },
    { key: "idle-vm", path: vm, role: "HomelabGamingIdle", token: "idle", propagate: false },
  ];
}

/**
 * The token in the form the API takes. The provider's `value` is the whole
 * `<id>=<secret>` in its current releases; a bare secret is completed, so a
 * provider that returns only the UUID still yields a working token.
 */
export function fullToken(token: GamingToken, value: string): string {
  if (value.includes("=")) {
    if (!value.startsWith(`${tokenId(token)}=`)) throw new Error(`the ${token} token's value names another token; expected ${tokenId(token)}=<secret>`);
    return value;
  }
  return `${tokenId(token)}=${value}`;
}
