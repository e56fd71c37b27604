// Starting and stopping the gaming VM on demand (story 6.1.3): the memory
// mode first (DEV is stopped only when asked), then the start, then the wait
// until Windows's guest agent answers and the streaming host (Sunshine)
// accepts connections, then a notification. Every effect is injected, so
// the tests drive it against the Proxmox stand-in with a fake clock.
import { MemoryVerdict, memoryVerdict } from "./memory";
import type { proxmoxClient } from "./proxmox";

export type Proxmox = ReturnType<typeof proxmoxClient>;

/** What starting a VM or session does besides calling its API: probe, notify, wait, tell the time. */
export interface ControlEffects {
  /** Whether the streaming host answers at this address (Sunshine's port). */
  streamingUp(address: string): Promise<boolean>;
  /** `ok`: good news (ready) or not (not ready). */
  notify(title: string, message: string, ok: boolean): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface ControlDeps extends ControlEffects {
  pve: Proxmox;
}

export interface GamingTarget {
  vmid: number;
  /** What the host gives VMs: its RAM minus what it keeps, in MiB. */
  usableMiB: number;
}

export type StartResult =
  | { started: false; verdict: MemoryVerdict & { fits: false } }
  | { started: true; ready: boolean; address?: string; stoppedDev: string[]; lines: string[] };

const pollMs = 5_000;

/** Waits for a Proxmox task to end; its exit status must be OK. */
async function finished(deps: ControlDeps, upid: string, what: string, timeoutMs: number): Promise<void> {
  const deadline = deps.now() + timeoutMs;
  for (;;) {
    const t = await deps.pve.task(upid);
    if (t.status === "stopped") {
      if (t.exitstatus !== "OK") throw new Error(`${what}: Proxmox's task ended with ${JSON.stringify(t.exitstatus)}; expected OK`);
      return;
    }
    if (deps.now() >= deadline) throw new Error(`${what}: still running after ${Math.round(timeoutMs / 1000)} s`);
    await deps.sleep(pollMs);
  }
}

/**
 * Starts the gaming VM. Refused when the host's memory mode has no room,
 * unless `stopDev` is set and stopping DEV makes room (DEV's VMs are shut
 * down cleanly first). Then waits up to `readyTimeoutMs` for the guest agent
 * and the streaming host, and notifies either way.
 */
export async function startGaming(deps: ControlDeps, target: GamingTarget, opts: { stopDev: boolean; readyTimeoutMs: number }): Promise<StartResult> {
  const lines: string[] = [];
  const vms = await deps.pve.vms();
  const vm = vms.find((v) => v.vmid === target.vmid);
  const verdict = memoryVerdict(vms, target.vmid, target.usableMiB);
  const stoppedDev: string[] = [];
  if (!verdict.fits) {
    if (!opts.stopDev || verdict.stopDev.length === 0) return { started: false, verdict };
    for (const dev of verdict.stopDev) {
      await finished(deps, await deps.pve.shutdown(dev.vmid), `shut down ${dev.name}`, 180_000);
      stoppedDev.push(dev.name);
    }
    lines.push(`stopped DEV: ${stoppedDev.join(", ")}`);
  }
  if (vm?.running) lines.push(`${vm.name} was already running`);
  else {
    await finished(deps, await deps.pve.start(target.vmid), `start ${vm?.name}`, 120_000);
    lines.push(`${vm?.name} started`);
  }
  const deadline = deps.now() + opts.readyTimeoutMs;
  let address: string | undefined;
  for (;;) {
    if (await deps.pve.agentUp(target.vmid)) {
      address ??= (await deps.pve.agentAddresses(target.vmid))[0];
      if (address && (await deps.streamingUp(address))) break;
    }
    if (deps.now() >= deadline) {
      const why = address ? `Windows is up (${address}) but the streaming host does not answer` : "Windows's guest agent does not answer";
      lines.push(`not ready after ${Math.round(opts.readyTimeoutMs / 60_000)} min: ${why}`);
      await deps.notify("Gaming VM not ready", `${vm?.name}: ${why}`, false);
      return { started: true, ready: false, address, stoppedDev, lines };
    }
    await deps.sleep(pollMs);
  }
  lines.push(`ready: stream from ${address} (Moonlight)`);
  await deps.notify("Gaming VM ready", `${vm?.name} is up: connect Moonlight to ${address}`, true);
  return { started: true, ready: true, address, stoppedDev, lines };
}

/** Shuts the gaming VM down cleanly (Windows's shutdown through ACPI/the agent), waiting for it. */
export async function stopGaming(deps: ControlDeps, vmid: number): Promise<string> {
  const vm = (await deps.pve.vms()).find((v) => v.vmid === vmid);
  if (!vm) throw new Error(`VM ${vmid} is not on this host; expected the gaming VM's homelab:gamingVm.vmId`);
  if (!vm.running) return `${vm.name} is already stopped`;
  await finished(deps, await deps.pve.shutdown(vmid), `shut down ${vm.name}`, 300_000);
  return `${vm.name} stopped`;
}
