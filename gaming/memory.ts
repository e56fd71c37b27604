// The host's memory mode (NFR-010): gaming is the gaming VM and PROD, with
// DEV stopped. Before the gaming VM starts, the VMs that run and the one
// that would start must fit in what the host gives VMs; when they do not,
// the answer names the DEV machines whose stop would make room, and nothing
// is stopped without being asked.

/** A VM as the Proxmox API lists it (GET /nodes/{node}/qemu), in the units we reason in. */
export interface HostVm {
  vmid: number;
  name: string;
  running: boolean;
  /** Its configured memory (maxmem), in MiB: what it may take while it runs. */
  memoryMiB: number;
  tags: string[];
}

export type MemoryVerdict =
  | { fits: true; freeMiB: number }
  /** `stopDev`: the running DEV VMs whose stop makes room (empty when even that is not enough). */
  | { fits: false; neededMiB: number; freeMiB: number; stopDev: HostVm[]; reason: string };

const gb = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GB`;

/**
 * Whether `vmid` may start now: the configured memory of every running VM
 * but it, plus its own, within `usableMiB` (the host's RAM minus what the
 * host keeps). Configured, not current, memory: a VM may grow to it.
 */
export function memoryVerdict(vms: readonly HostVm[], vmid: number, usableMiB: number): MemoryVerdict {
  const target = vms.find((v) => v.vmid === vmid);
  if (!target) throw new Error(`VM ${vmid} is not on this host; expected the gaming VM's homelab:gamingVm.vmId`);
  const running = vms.filter((v) => v.running && v.vmid !== vmid);
  const freeMiB = usableMiB - running.reduce((s, v) => s + v.memoryMiB, 0);
  if (target.memoryMiB <= freeMiB) return { fits: true, freeMiB };
  const dev = running.filter((v) => v.tags.includes("dev"));
  const afterDev = freeMiB + dev.reduce((s, v) => s + v.memoryMiB, 0);
  const stopDev = target.memoryMiB <= afterDev ? dev : [];
  const reason = stopDev.length
    ? `${target.name} needs ${gb(target.memoryMiB)} and ${gb(freeMiB)} is free: stopping DEV (${stopDev.map((v) => v.name).join(", ")}) frees ${gb(afterDev - freeMiB)}; start it with --stop-dev to do so`
    : `${target.name} needs ${gb(target.memoryMiB)} and ${gb(freeMiB)} is free${dev.length ? `, ${gb(afterDev)} with DEV stopped` : ""}: not enough even without DEV; stop another VM first`;
  return { fits: false, neededMiB: target.memoryMiB, freeMiB, stopDev, reason };
}
