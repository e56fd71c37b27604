// The identity comparator decides as the engine does what `pulumi up` would
// do to each resource: keep, rename (alias), update, replace or delete.
import { IdentityEntry, compareIdentity, describeChanges, identityOf } from "../../plan/identity";
import { runOf } from "../policies/fixtures";

const entry = (name: string, changes: Partial<IdentityEntry> = {}): IdentityEntry => ({
  urn: `urn:pulumi:prod::homelab::homelab:index:TalosCluster$proxmoxve:index/vmLegacy:VmLegacy::${name}`,
  type: "proxmoxve:index/vmLegacy:VmLegacy",
  parent: "urn:pulumi:prod::homelab::homelab:index:TalosCluster::cluster",
  provider: "urn:pulumi:prod::homelab::pulumi:providers:proxmoxve::proxmox",
  protect: false,
  retainOnDelete: false,
  ignoreChanges: [],
  replaceOnChanges: [],
  aliases: [],
  dependsOn: [],
  replaceKeys: { vmId: 201, nodeName: "pve" },
  ...changes,
});
const lines = (before: IdentityEntry[], after: IdentityEntry[]) => describeChanges(compareIdentity(before, after)).split("\n").filter(Boolean);

describe("compareIdentity", () => {
  test("the same identity is no change", () => {
    expect(compareIdentity([entry("a")], [entry("a")])).toEqual([]);
  });

  test("a URN that disappears is a delete, with the protection and retention that apply", () => {
    expect(lines([entry("a")], [])).toEqual([`DELETED ${entry("a").urn}: no resource of the program claims this URN (no alias)`]);
    expect(lines([entry("a", { protect: true, retainOnDelete: true })], [])).toEqual([
      `DELETED ${entry("a").urn}: no resource of the program claims this URN (no alias), retained on delete; it is protected, so \`pulumi up\` stops instead`,
    ]);
  });

  test("an alias turns a new URN into a rename of the old one", () => {
    const renamed = entry("b", { aliases: [entry("a").urn] });
    expect(compareIdentity([entry("a")], [renamed])).toEqual([{ kind: "renamed", urn: entry("a").urn, to: renamed.urn, detail: "kept through an alias" }]);
  });

  test("a changed replacement input is a replace; deleteBeforeReplace and protect are said", () => {
    expect(lines([entry("a")], [entry("a", { replaceKeys: { vmId: 202, nodeName: "pve" } })])).toEqual([`REPLACED ${entry("a").urn}: vmId 201 -> 202`]);
    expect(lines([entry("a", { protect: true })], [entry("a", { protect: true, deleteBeforeReplace: true, replaceKeys: { vmId: 202, nodeName: "pve" } })])).toEqual([
      `REPLACED ${entry("a").urn}: vmId 201 -> 202 (deleted first); it is protected, so \`pulumi up\` stops instead`,
      `OPTIONS ${entry("a").urn}: deleteBeforeReplace null -> true`,
    ]);
  });

  test("adopting by import ID is an option change; a different import ID adopts another resource in its place", () => {
    expect(lines([entry("a")], [entry("a", { importId: "pve:201" })])).toEqual([`OPTIONS ${entry("a").urn}: importId null -> "pve:201"`]);
    expect(lines([entry("a", { importId: "pve:201" })], [entry("a", { importId: "pve:202" })])).toEqual([
      `REPLACED ${entry("a").urn}: import pve:201 -> pve:202`,
      `OPTIONS ${entry("a").urn}: importId "pve:201" -> "pve:202"`,
    ]);
  });

  test("an ignored input keeps its old value, so removing it replaces nothing", () => {
    const before = entry("c", { type: "command:local:Command", replaceOnChanges: ["triggers[*]"], replaceKeys: { "triggers[*]": ["abc"] } });
    const after = entry("c", { type: "command:local:Command", replaceOnChanges: ["triggers[*]"], replaceKeys: {}, ignoreChanges: ["triggers"] });
    expect(lines([before], [after])).toEqual([`OPTIONS ${entry("c").urn}: ignoreChanges [] -> ["triggers"]`]);
    expect(lines([before], [{ ...after, ignoreChanges: [] }])).toEqual([`REPLACED ${entry("c").urn}: triggers[*] ["abc"] -> null`]);
  });

  test("a new explicit provider replaces, an aliased provider does not, and default providers are matched without their version", () => {
    const other = "urn:pulumi:prod::homelab::pulumi:providers:proxmoxve::proxmox2";
    expect(lines([entry("a")], [entry("a", { provider: other })])).toEqual([`REPLACED ${entry("a").urn}: provider ${entry("a").provider} -> ${other}`]);
    const oldProvider = entry("p", { urn: entry("a").provider as string, type: "pulumi:providers:proxmoxve", parent: null, provider: null, replaceKeys: {} });
    const newProvider = { ...oldProvider, urn: other, aliases: [oldProvider.urn] };
    expect(compareIdentity([oldProvider, entry("a")], [newProvider, entry("a", { provider: other })]).map((c) => c.kind)).toEqual(["renamed"]);
  });

  test("dependsOn and parent are compared through renames", () => {
    const dep = entry("dep");
    const renamedDep = entry("dep2", { aliases: [dep.urn] });
    const before = [dep, entry("a", { dependsOn: [dep.urn] })];
    expect(compareIdentity(before, [renamedDep, entry("a", { dependsOn: [renamedDep.urn] })]).map((c) => c.kind)).toEqual(["renamed"]);
    expect(lines(before, [renamedDep, entry("a", { dependsOn: [] })])).toContain(`OPTIONS ${entry("a").urn}: dependsOn ["${renamedDep.urn}"] -> []`);
  });

  test("new resources are additions; protect, retainOnDelete and ignoreChanges changes are option changes", () => {
    expect(lines([], [entry("a")])).toEqual([`ADDED ${entry("a").urn}: new resource`]);
    expect(lines([entry("a", { protect: true })], [entry("a")])).toEqual([`OPTIONS ${entry("a").urn}: protect true -> false`]);
    expect(lines([entry("a")], [entry("a", { retainOnDelete: true, ignoreChanges: ["cdrom"] })])).toEqual([`OPTIONS ${entry("a").urn}: retainOnDelete false -> true, ignoreChanges [] -> ["cdrom"]`]);
  });
});

describe("identityOf", () => {
  test("records the replacement inputs each provider replaces on, and every input of random and tls resources", () => {
    const run = runOf([
      { type: "proxmoxve:index/vmLegacy:VmLegacy", name: "vm", urn: "urn:pulumi:t::homelab::proxmoxve:index/vmLegacy:VmLegacy::vm", inputs: { vmId: 5, nodeName: "pve", name: "x", memory: { dedicated: 1 } } },
      { type: "random:index/randomPassword:RandomPassword", name: "pw", urn: "urn:pulumi:t::homelab::random:index/randomPassword:RandomPassword::pw", inputs: { length: 32, special: false } },
      { type: "kubernetes:core/v1:Namespace", name: "ns", urn: "urn:pulumi:t::homelab::kubernetes:core/v1:Namespace::ns", inputs: { metadata: { name: "apps", labels: {} } } },
    ]);
    expect(identityOf(run).map((e) => e.replaceKeys)).toEqual([{ nodeName: "pve", vmId: 5 }, { length: 32, special: false }, { "metadata.name": "apps", "metadata.namespace": null }]);
  });
});
