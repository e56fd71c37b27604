// KubeVirt's side of gaming (hypervisor.gpu.consumer kubevirt), for the
// committed prod config whichever consumer it names: the objects the prod
// stack applies with KubeVirt (KubeVirt's and CDI's resources, the session's
// DataVolumes and VirtualMachine) for tools/kubevirt-check, read together so a
// VM's devices and disks are checked against what the other documents
// declare; the Namespace, Service and the launch page's Role and RoleBinding
// for kubectl-validate; the gpu-worker's
// Talos patch for talosctl. Each tool is shown failing on a broken file of
// test/fixtures/broken/kubevirt/.
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { cdiResource, kubevirtResource, launchPageAccess, sessionManifests } from "../components/gaming/kubevirt";
import { gpuWorkerPatch } from "../components/omni/templates";
import { Manifest } from "../components/platform/context";
import { ProdConfig } from "../config/schema";
import { gamingLaunch } from "../services/gamingLaunch";
import { gamingSessionSpec } from "../stacks/home";
import { Check } from "./checks";

/** API groups tools/kubevirt-check reads (the rest of a session is built-in Kubernetes). */
export const kubevirtApiVersions = ["kubevirt.io/v1", "cdi.kubevirt.io/v1beta1"];

const yamlOf = (docs: Manifest[]) => docs.map((d) => stringify(d)).join("---\n");

/** Writes the session's documents under `dir`; the checks that must pass on them. */
export function kubevirtSessionChecks(config: ProdConfig, dir: string, kubernetesVersion: string): { checks: Check[]; talosPatch: string } {
  const spec = gamingSessionSpec(config);
  const all = [kubevirtResource(config.hypervisor.gpu.vendorDeviceIds), cdiResource(), ...sessionManifests(spec), ...launchPageAccess(spec, gamingLaunch.name)];
  const custom = all.filter((m) => kubevirtApiVersions.includes(m.apiVersion));
  const builtIn = all.filter((m) => !kubevirtApiVersions.includes(m.apiVersion));
  fs.mkdirSync(dir, { recursive: true });
  const customFile = path.join(dir, "kubevirt-objects.yaml");
  fs.writeFileSync(customFile, yamlOf(custom));
  const checks: Check[] = [{ tool: "kubevirt-check", artifact: `${customFile} (${custom.map((m) => m.kind).join(", ")})`, args: [customFile] }];
  for (const m of builtIn) {
    const file = path.join(dir, `${m.kind.toLowerCase()}-${m.metadata.name}.yaml`);
    fs.writeFileSync(file, stringify(m));
    checks.push({ tool: "kubectl-validate", artifact: `${file} (Kubernetes ${kubernetesVersion})`, args: [file, "--version", kubernetesVersion] });
  }
  const talosPatch = path.join(dir, "gpu-worker-patch.yaml");
  fs.writeFileSync(talosPatch, stringify(gpuWorkerPatch(config.hypervisor.gpu.vendorDeviceIds)));
  return { checks, talosPatch };
}

/** The broken fixtures: each file must be refused by kubevirt-check on its own. */
export function kubevirtNegativeChecks(fixtures: string): Check[] {
  const dir = path.join(fixtures, "kubevirt");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ tool: "kubevirt-check", artifact: path.join(dir, f), args: [path.join(dir, f)] }));
}
