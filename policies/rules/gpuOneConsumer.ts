import { StackValidationPolicy } from "@pulumi/policy";
import { types } from "./types";

/** What a hostpci entry passes through: a Proxmox resource mapping by name, or a raw PCI address. */
function deviceOf(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== "object") return undefined;
  const e = entry as { mapping?: unknown; id?: unknown };
  if (typeof e.mapping === "string" && e.mapping !== "") return `mapping ${e.mapping}`;
  // A raw address names the same device with or without its function (0000:01:00 and 0000:01:00.0).
  if (typeof e.id === "string" && e.id !== "") return `device ${e.id.toLowerCase().replace(/\.[0-7]$/, "")}`;
  return undefined;
}

/**
 * The host has one GPU, and a passed-through device serves one VM: the
 * Windows gaming VM, or the cluster node that hands it to KubeVirt
 * (hypervisor.gpu.consumer), never both. Proxmox would refuse to start the
 * second holder while the first runs; this refuses the plan instead.
 */
export const gpuOneConsumerPolicy: StackValidationPolicy = {
  name: "gpu-one-consumer",
  description: "A passed-through PCI device (the GPU's Proxmox mapping, or a raw address) is given to at most one VM of the stack.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const holders = new Map<string, { name: string; urn: string }[]>();
    for (const vm of args.resources.filter((r) => r.type === types.proxmoxVm)) {
      const entries: unknown[] = Array.isArray(vm.props.hostpcis) ? vm.props.hostpcis : [];
      for (const device of new Set(entries.map(deviceOf).filter((d): d is string => d !== undefined))) {
        holders.set(device, [...(holders.get(device) ?? []), { name: vm.name, urn: vm.urn }]);
      }
    }
    for (const [device, vms] of holders) {
      if (vms.length < 2) continue;
      for (const vm of vms.slice(1)) {
        reportViolation(`VM ${vm.name} is given ${device}, which VM ${vms[0].name} already has; a passed-through device serves one VM (hypervisor.gpu.consumer chooses the gaming VM or KubeVirt's gpu-worker)`, vm.urn);
      }
    }
  },
};
