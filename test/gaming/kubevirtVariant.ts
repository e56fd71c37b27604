// The committed stacks with KubeVirt given the GPU (docs/runbooks/gaming.md,
// "Switching to KubeVirt"): as config values for the rules' tests, and as a
// project root of stack files for a whole plan.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument } from "yaml";
import { projectRoot } from "../../plan/stackFiles";
import type { Values } from "../helpers";

/** Switches committed prod values: a gpu-worker big enough, the stream Service on the LAN, a session sized to fit beside DEV. */
export function kubevirtOn(v: Values): void {
  v.hypervisor.gpu.consumer = "kubevirt";
  // The gpu-worker's RAM is taken all the time: with DEV beside it, a 24 GB session fits the 52 GB the host gives VMs (4 + 12 + 27 + DEV's 4).
  v.gamingVm.memoryGb = 24;
  v.cluster.nodes.push({ name: "prod-gpu-1", role: "gpu-worker", vmId: 203, machineUuid: "5b0c8f52-7d4e-4b8a-9f61-2c3d4e5f6a7b", cores: 9, memoryGb: 27, diskGb: 100, ip: "192.168.68.63" });
  v.platform.lanLoadBalancer.services.push("gaming/gaming-stream");
}

/** A fresh directory holding the committed stack files, Pulumi.prod.yaml switched (comments kept); the caller removes it. */
export function kubevirtRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-kubevirt-"));
  for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.cloud.yaml"]) fs.copyFileSync(path.join(projectRoot, f), path.join(root, f));
  const doc = parseDocument(fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8"));
  const config = doc.toJS().config as Values;
  const v: Values = { hypervisor: config["homelab:hypervisor"], cluster: config["homelab:cluster"], platform: config["homelab:platform"], gamingVm: config["homelab:gamingVm"] };
  kubevirtOn(v);
  doc.setIn(["config", "homelab:hypervisor", "gpu", "consumer"], v.hypervisor.gpu.consumer);
  doc.setIn(["config", "homelab:gamingVm", "memoryGb"], v.gamingVm.memoryGb);
  doc.setIn(["config", "homelab:cluster", "nodes"], doc.createNode(v.cluster.nodes));
  doc.setIn(["config", "homelab:platform", "lanLoadBalancer", "services"], doc.createNode(v.platform.lanLoadBalancer.services));
  fs.writeFileSync(path.join(root, "Pulumi.prod.yaml"), doc.toString());
  return root;
}
