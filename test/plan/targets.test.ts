// A targeted first deploy, decided as the engine's step generator decides it.
import { ProgramRun, RecordedResource } from "../../plan/mockRuntime";
import { targetMatcher, targetedFirstDeploy } from "../../plan/targets";
import { runCommittedStack } from "../../plan/plan";
import { runStack } from "../helpers";
import { runOf } from "../policies/fixtures";

const base = `urn:pulumi:cloud::homelab::`;

/** A run with: component omni and its child vm, a provider that needs the cluster's kubeconfig, and the cluster's command. */
function sampleRun(): ProgramRun {
  const run = runOf([], { stack: "cloud" });
  const res = (type: string, name: string, extra: Partial<RecordedResource> = {}): RecordedResource => ({
    ...run.root,
    type,
    name,
    urn: `${base}${extra.parentUrn ? `${extra.parentUrn.split("::")[2]}$` : ""}${type}::${name}`,
    custom: !type.startsWith("homelab:"),
    ...extra,
  });
  const omni = res("homelab:index:OmniServer", "omni");
  const oci = res("pulumi:providers:oci", "oci");
  const vm = res("oci:Core/instance:Instance", "omni-vm", { parentUrn: omni.urn, provider: oci.urn });
  const kubeconfig = res("command:local:Command", "cluster-kubeconfig", { propertyDependencies: { environment: [vm.urn] } });
  const k8s = res("pulumi:providers:kubernetes", "kubernetes", { dependencies: [kubeconfig.urn] });
  run.resources = [omni, oci, vm, kubeconfig, k8s];
  return run;
}

describe("targetMatcher", () => {
  test("** matches anything; every other character, * included, is literal", () => {
    expect(targetMatcher(`${base}homelab:index:OmniServer**`)(`${base}homelab:index:OmniServer$oci:Core/vcn:Vcn::omni-vcn`)).toBe(true);
    expect(targetMatcher(`${base}homelab:index:OmniServer*`)(`${base}homelab:index:OmniServer::omni`)).toBe(false);
    expect(targetMatcher(`${base}homelab:index:OmniServer::omni`)(`${base}homelab:index:OmniServer::omni`)).toBe(true);
    expect(targetMatcher("a.b")("axb")).toBe(false);
  });
});

describe("targetedFirstDeploy", () => {
  test("targets create their resources and the providers they use; the rest is skipped", () => {
    const run = sampleRun();
    const t = targetedFirstDeploy(run, [`${base}homelab:index:OmniServer**`]);
    expect(t.created).toEqual(expect.arrayContaining([`${base}homelab:index:OmniServer::omni`, `${base}homelab:index:OmniServer$oci:Core/instance:Instance::omni-vm`, `${base}pulumi:providers:oci::oci`]));
    expect(t.skipped).toEqual([`${base}command:local:Command::cluster-kubeconfig`]);
    expect(t.unmatched).toEqual([]);
  });

  test("a provider that depends on a skipped create stops the run (error 2013), as a child whose parent is skipped does", () => {
    const run = sampleRun();
    expect(targetedFirstDeploy(run, [`${base}homelab:index:OmniServer**`]).problems).toEqual([
      `Resource '${base}pulumi:providers:kubernetes::kubernetes' depends on '${base}command:local:Command::cluster-kubeconfig' which was was not specified in --target list.`,
    ]);
    expect(targetedFirstDeploy(run, [`${base}homelab:index:OmniServer$oci:Core/instance:Instance::omni-vm`, `${base}command:local:Command::cluster-kubeconfig`]).problems).toEqual([
      `Resource '${base}homelab:index:OmniServer$oci:Core/instance:Instance::omni-vm' depends on '${base}homelab:index:OmniServer::omni' which was was not specified in --target list.`,
    ]);
    expect(targetedFirstDeploy(run, ["urn:pulumi:cloud::homelab::nothing"]).unmatched).toEqual(["urn:pulumi:cloud::homelab::nothing"]);
  });

  test("on the cloud stack, Omni alone cannot be targeted: the cluster's Kubernetes providers need its kubeconfig", async () => {
    const t = targetedFirstDeploy(await runCommittedStack("cloud", "preview"), [`${base}homelab:index:OmniServer**`]);
    expect(t.problems.join("\n")).toMatch(/pulumi:providers:kubernetes::kubernetes' depends on '.*TalosCluster\$command:local:Command::cluster-kubeconfig'/);
  });
});

describe("the cloud stack's first deploy", () => {
  test("without the Talos image it builds Omni alone and says what is left; nothing then needs a target", async () => {
    const run = await runStack("cloud", (v) => delete v.oci.images.talos);
    expect(new Set(run.resources.map((r) => r.urn.split("::")[2].split("$")[0]))).toEqual(new Set(["command:local:Command", "homelab:index:BackupStore", "homelab:index:IdentityPlane", "homelab:index:TunnelEdge", "homelab:index:OmniServer", "homelab:index:TwingateAccess", "pulumi:providers:cloudflare", "pulumi:providers:oci", "pulumi:providers:twingate"]));
    expect(run.outputs.nextStep).toMatch(/set homelab:oci\.images\.talos/);
    expect(Object.keys(run.outputs).sort()).toEqual(["authentikBootstrapPassword", "backupStore", "edge", "identity", "nextStep", "omni", "privateAccess"]);
    // The commands beside Omni give Authentik's admins Omni's Admin role and tell Omni where its etcd backups go.
    expect(run.resources.filter((r) => r.type === "command:local:Command").map((r) => r.name).sort()).toEqual(["omni-etcd-backup-store", "omni-saml-admins"]);
    expect(targetedFirstDeploy(run, [`${base}**`]).problems).toEqual([]);
  });
});
