import { StackValidationPolicy } from "@pulumi/policy";
import { HostCapacityConfig } from "../../contract/policyConfig";
import { types } from "./types";

/** Defaults are the PRD's host (64 GB, 16 threads, 12 GB kept for the host and ZFS ARC). */
export const proxmoxCapacityPolicy: StackValidationPolicy = {
  name: "proxmox-host-capacity",
  description: "VMs that run at the same time fit in the Proxmox host's RAM (minus what the host keeps), and no VM has more vCPUs than the host has threads.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      hostMemoryGb: { type: "integer", default: 64 },
      reservedMemoryGb: { type: "integer", default: 12 },
      cpuThreads: { type: "integer", default: 16 },
    },
  },
  validateStack: (args, reportViolation) => {
    const host = args.getConfig<HostCapacityConfig>();
    const usableMiB = (host.hostMemoryGb - host.reservedMemoryGb) * 1024;
    const vms = args.resources.filter((r) => r.type === types.proxmoxVm);
    let runningMiB = 0;
    for (const vm of vms) {
      const memory = Number(vm.props.memory?.dedicated ?? 512);
      const cores = Number(vm.props.cpu?.cores ?? 1) * Number(vm.props.cpu?.sockets ?? 1);
      if (vm.props.started !== false) runningMiB += memory;
      if (memory > usableMiB) reportViolation(`VM ${vm.name} asks for ${memory} MiB; the host can give at most ${usableMiB} MiB`, vm.urn);
      if (cores > host.cpuThreads) reportViolation(`VM ${vm.name} asks for ${cores} vCPUs; the host has ${host.cpuThreads} threads`, vm.urn);
    }
    if (runningMiB > usableMiB) reportViolation(`running VMs need ${runningMiB} MiB; the host can give ${usableMiB} MiB`);
  },
};
