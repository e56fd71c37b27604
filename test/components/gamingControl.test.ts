import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { GamingControl } from "../../components/GamingControl";
import { GamingRole, devPool, fullToken, gamingGrants, gamingRoles, gamingUser, tokenId } from "../../components/gaming/access";
import { idleWatch, idleWatchRemoval, idleWatchStep } from "../../components/gaming/idleWatch";
import { recordResources } from "../../plan/mockRuntime";

const privileges = (role: GamingRole) => new Set<string>(gamingRoles[role]);

describe("the gaming control's Proxmox access (pure)", () => {
  it("grants each token nothing its user lacks on the same path: a separated token holds the intersection", () => {
    const grants = gamingGrants(300);
    for (const g of grants.filter((x) => x.token)) {
      const user = grants.find((u) => !u.token && u.path === g.path);
      expect(user).toBeDefined();
      for (const p of privileges(g.role)) expect(privileges(user!.role).has(p)).toBe(true);
      expect(user!.propagate).toBe(g.propagate);
    }
  });

  it("lets the control list every VM but power and ask the agent of the gaming VM and DEV's pool only", () => {
    const control = gamingGrants(300).filter((g) => g.token === "control");
    expect(control.map((g) => [g.path, [...gamingRoles[g.role]].sort().join(" "), g.propagate])).toEqual([
      ["/vms", "VM.Audit", true],
      ["/vms/300", "VM.Audit VM.GuestAgent.Audit VM.PowerMgmt", false],
      [`/pool/${devPool}`, "VM.Audit VM.PowerMgmt", true],
    ]);
  });

  it("keeps running commands in the guest to the idle token, on the gaming VM only", () => {
    const unrestricted = gamingGrants(300).filter((g) => privileges(g.role).has("VM.GuestAgent.Unrestricted"));
    expect(unrestricted.map((g) => [g.path, g.token ?? "user"])).toEqual([
      ["/vms/300", "user"],
      ["/vms/300", "idle"],
    ]);
    // Proxmox VE 9 names: VM.Monitor no longer exists and a role naming it is refused.
    for (const role of Object.values(gamingRoles)) expect(role).not.toContain("VM.Monitor");
  });

  it("completes a bare secret into the token the API takes, and refuses another token's value", () => {
    expect(tokenId("control")).toBe(`${gamingUser}!control`);
    expect(fullToken("control", "homelab-gaming@pve!control=abc")).toBe("homelab-gaming@pve!control=abc");
    expect(fullToken("idle", "abc")).toBe("homelab-gaming@pve!idle=abc");
    expect(() => fullToken("control", "homelab-gaming@pve!idle=abc")).toThrow("the control token's value names another token; expected homelab-gaming@pve!control=<secret>");
  });
});

describe("GamingControl (mocks)", () => {
  let run: Awaited<ReturnType<typeof recordResources>>;
  let controlToken: string | undefined;
  beforeAll(async () => {
    run = await recordResources({ stack: "prod", config: {}, secretKeys: [] }, () => {
      const provider = new proxmox.Provider("proxmox", {});
      const c = new GamingControl("gaming-control", {
        provider,
        nodeName: "pve",
        vmId: 300,
        idle: { minutes: 30, gpuPercent: 10, streamKbps: 1000 },
        apiPort: 8006,
        connection: { host: "192.168.68.51", user: "root", privateKey: "key" },
        ntfy: { url: "https://ntfy.homelab.example/homelab-gaming", token: pulumi.secret("tk_0123456789abcdefghijklmnopqrs") },
      });
      c.controlToken.apply((t) => (controlToken = t));
    });
  });
  const ofType = (type: string) => run.resources.filter((r) => r.type === type);

  it("makes the four roles with their privileges, and a user without a password", () => {
    const byId = (a: [unknown, unknown], b: [unknown, unknown]) => String(a[0]).localeCompare(String(b[0]));
    expect(ofType("proxmoxve:index/roleLegacy:RoleLegacy").map((r): [unknown, unknown] => [r.inputs.roleId, r.inputs.privileges]).sort(byId)).toEqual(Object.entries(gamingRoles).map(([k, v]): [unknown, unknown] => [k, [...v]]).sort(byId));
    const [user] = ofType("proxmoxve:index/userLegacy:UserLegacy");
    expect(user.inputs).toMatchObject({ userId: gamingUser, enabled: true });
    expect(user.inputs.password).toBeUndefined();
  });

  it("makes two privilege-separated tokens whose inputs nothing changes in place", () => {
    const tokens = ofType("proxmoxve:user/token:Token");
    expect(tokens.map((t) => [t.inputs.tokenName, t.inputs.privilegesSeparation]).sort()).toEqual([
      ["control", true],
      ["idle", true],
    ]);
    for (const t of tokens) expect(t.options.ignoreChanges).toEqual(["comment", "expirationDate"]);
  });

  it("grants every ACL of the model, to the user or by token ID, after the DEV pool exists", () => {
    const acls = ofType("proxmoxve:index/acl:Acl");
    const byName = new Map(acls.map((a) => [a.name, a]));
    expect(acls).toHaveLength(gamingGrants(300).length);
    for (const g of gamingGrants(300)) {
      const a = byName.get(`gaming-control-acl-${g.key}`);
      expect([a?.inputs.path, a?.inputs.roleId, a?.inputs.propagate, a?.inputs.tokenId ?? a?.inputs.userId]).toEqual([g.path, g.role, g.propagate, g.token ? tokenId(g.token) : gamingUser]);
    }
    // The ACLs' logical names are their identity in the state: renaming one would delete and recreate a grant.
    expect(acls.map((a) => a.name).sort()).toEqual(
      ["user-list", "user-vm", "user-dev", "control-list", "control-vm", "control-dev", "idle-vm"].map((k) => `gaming-control-acl-${k}`).sort(),
    );
    const [pool] = ofType("proxmoxve:index/poolLegacy:PoolLegacy");
    expect(pool.inputs.poolId).toBe(devPool);
    for (const a of acls.filter((x) => String(x.inputs.path).startsWith("/pool/"))) expect(a.dependencies).toContain(pool.urn);
  });

  it("gives the control token out whole, as a secret", () => {
    expect(controlToken).toBe("homelab-gaming@pve!control=00000000-0000-0000-0000-000000000000");
  });

  it("installs the idle watcher over SSH with the settings on standard input only, and removes it on delete", () => {
    const [watch] = ofType("command:remote:Command");
    expect(watch.name).toBe("gaming-control-idle-watch");
    expect(watch.inputs.create).toBe(idleWatchStep());
    expect(watch.inputs.update).toBe(idleWatchStep());
    expect(watch.inputs.delete).toBe(idleWatchRemoval());
    expect(watch.inputs.stdin).toBe("[secret]");
    expect(watch.inputs.connection).toBe("[secret]");
    expect(watch.options.deleteBeforeReplace).toBe(true);
    for (const acl of ofType("proxmoxve:index/acl:Acl")) expect(watch.dependencies).toContain(acl.urn);
    expect(idleWatchRemoval()).toContain(`systemctl disable --now '${idleWatch.unit}.timer'`);
  });
});
