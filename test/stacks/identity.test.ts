// What the next `pulumi up` would do to a deployed stack, decided offline:
// the program's identity (URNs, parents, providers, options, replacement
// inputs) against the committed snapshot. A difference fails until the
// snapshot is updated on purpose (`npm run plan -- --accept-identity`), and the
// failure names what would be deleted, replaced or renamed.
import { StackKind } from "../../config/schema";
import { IdentityEntry, compareIdentity, describeChanges, identityOf } from "../../plan/identity";
import { readIdentitySnapshot } from "../../plan/plan";
import { Values } from "../helpers";

// Some tests run a whole stack twice (the cloud stack: 20 to 40 s a run on two cores); the default 60 s left no margin on a busy machine.
jest.setTimeout(180_000);

const stacks: StackKind[] = ["dev", "prod", "cloud"];

async function identity(stack: StackKind, mutate?: (v: Values) => void): Promise<IdentityEntry[]> {
  let entries: IdentityEntry[] = [];
  await jest.isolateModulesAsync(async () => {
    const helpers: typeof import("../helpers") = await import("../helpers");
    entries = identityOf(await helpers.runStack(stack, mutate));
  });
  return entries;
}

const risky = (changes: ReturnType<typeof compareIdentity>) => changes.filter((c) => c.kind === "deleted" || c.kind === "replaced");

describe.each(stacks)("identity of the %s stack", (stack) => {
  test("is the committed snapshot (update it with `npm run plan -- --accept-identity` when a change is meant)", async () => {
    const snapshot = readIdentitySnapshot(stack);
    expect(snapshot).toBeDefined();
    const changes = compareIdentity(snapshot as IdentityEntry[], await identity(stack));
    expect(describeChanges(changes)).toBe("");
  });

  test("deletes and replaces nothing that release 0.1 deployed (renames are aliased)", async () => {
    const previous = readIdentitySnapshot(`v0.1/${stack}`) as IdentityEntry[];
    const changes = compareIdentity(previous, await identity(stack));
    expect(describeChanges(risky(changes))).toBe("");
    expect(changes.some((c) => c.kind === "renamed")).toBe(true);
  });

  test.each([
    ["a Talos and Kubernetes patch release", { talos: "1.13.11", kubernetes: "1.36.4" }],
    ["a Talos and Kubernetes minor release", { talos: "1.14.1", kubernetes: "1.37.2" }],
  ])("replaces no machine or Omni command on %s", async (_what, versions) => {
    const changes = compareIdentity(readIdentitySnapshot(stack) as IdentityEntry[], await identity(stack, (v) => (v.cluster.versions = versions)));
    // Only the Talos ISO file on Proxmox is replaced (a new file for the new version; VMs move to it first).
    const expected = stack === "cloud" ? [] : [expect.stringMatching(/^REPLACED urn:pulumi:\w+::homelab::homelab:index:TalosCluster\$proxmoxve:index\/fileLegacy:FileLegacy::cluster-talos-iso: sourceFile /)];
    expect(describeChanges(risky(changes)).split("\n").filter(Boolean)).toEqual(expected);
  });

  test("does not change when the nodes are listed in another order", async () => {
    const reversed = compareIdentity(readIdentitySnapshot(stack) as IdentityEntry[], await identity(stack, (v) => v.cluster.nodes.reverse()));
    expect(describeChanges(reversed)).toBe("");
  });

  test("names what a node rename would delete (a node's name is its identity)", async () => {
    const first = (await identity(stack)).find((e) => /:(VmLegacy|Instance)::cluster-/.test(e.urn)) as IdentityEntry;
    const renamed = compareIdentity(readIdentitySnapshot(stack) as IdentityEntry[], await identity(stack, (v) => (v.cluster.nodes[0].name = `${v.cluster.nodes[0].name}-new`)));
    expect(risky(renamed).map((c) => [c.kind, c.urn])).toEqual(expect.arrayContaining([["deleted", first.urn]]));
  });
});

describe("protection where data lives", () => {
  test("the machines holding volumes, the ZFS pool, the LAN bridge, the management VM, its reserved IP and the backup buckets are protected; DEV is not", async () => {
    const protectedUrns = (entries: IdentityEntry[]) => entries.filter((e) => e.protect).map((e) => e.urn.split("::").slice(2).join("::"));
    expect(protectedUrns(await identity("prod")).sort()).toEqual([
      "homelab:index:HypervisorHost$proxmoxve:network/linux/bridge:Bridge::hypervisor-bridge",
      "homelab:index:HypervisorHost$proxmoxve:node/disk/zfs:Zfs::hypervisor-zfs-pool",
      "homelab:index:TalosCluster$proxmoxve:index/vmLegacy:VmLegacy::cluster-prod-cp-1",
      "homelab:index:TalosCluster$proxmoxve:index/vmLegacy:VmLegacy::cluster-prod-worker-1",
    ]);
    expect(protectedUrns(await identity("cloud")).sort()).toEqual([
      "homelab:index:BackupStore$oci:ObjectStorage/bucket:Bucket::backup-bucket",
      "homelab:index:BackupStore$oci:ObjectStorage/bucket:Bucket::backup-omni-etcd-bucket",
      "homelab:index:OmniServer$oci:Core/instance:Instance::omni-vm",
      "homelab:index:OmniServer$oci:Core/publicIp:PublicIp::omni-public-ip",
      "homelab:index:TalosCluster$oci:Core/instance:Instance::cluster-oci-node-1",
      "homelab:index:TalosCluster$oci:Core/instance:Instance::cluster-oci-node-2",
    ]);
    expect(protectedUrns(await identity("dev"))).toEqual([]);
  });

  test("the LAN bridge the installer made is adopted by the provider's own ID, so only a first deploy imports it", async () => {
    const bridge = (await identity("prod")).find((e) => e.type === "proxmoxve:network/linux/bridge:Bridge");
    // bpg/proxmox gives a bridge the ID `<node name>:<iface>`: the engine imports while the ID in state differs.
    expect(bridge?.importId).toBe(`${bridge?.replaceKeys.nodeName}:${bridge?.replaceKeys.name}`);
    expect(bridge?.importId).toBe("pve:vmbr0");
  });

  test("no Omni command can delete a cluster: none has a delete or a replacement trigger", async () => {
    for (const stack of stacks) {
      let commands: { name: string; inputs: Record<string, unknown>; options: { replaceOnChanges: string[] } }[] = [];
      await jest.isolateModulesAsync(async () => {
        const helpers: typeof import("../helpers") = await import("../helpers");
        commands = (await helpers.runStack(stack)).resources.filter((r) => r.type.startsWith("command:"));
      });
      expect(commands.length).toBeGreaterThan(0);
      for (const c of commands) {
        // The one command that undoes itself: the gaming idle watcher removes its own timer and files, nothing else.
        if (c.name === "gaming-control-idle-watch") expect(String(c.inputs.delete)).not.toMatch(/omnictl|talosctl|zfs|qm |pct |rm -rf/);
        else expect([c.name, c.inputs.delete]).toEqual([c.name, undefined]);
        expect([c.name, c.inputs.triggers]).toEqual([c.name, undefined]);
      }
    }
  });
});
