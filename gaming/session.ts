// Starting and stopping a KubeVirt gaming session (hypervisor.gpu.consumer
// kubevirt) on the launch page: the same shape as the Proxmox VM's control
// (control.ts), without the memory mode (the gpu-worker holds the session's
// RAM all the time): start, wait until Windows's guest agent is connected and
// Sunshine answers at the stream Service's LAN address, notify. Every effect
// is injected, so the tests drive it against a KubeVirt stand-in.
import type { ControlEffects } from "./control";
import type { KubevirtClient, SessionTarget } from "./kubevirtApi";

export interface SessionDeps extends ControlEffects {
  kube: KubevirtClient;
}

const pollMs = 5_000;

export async function startSession(deps: SessionDeps, t: SessionTarget, opts: { readyTimeoutMs: number }): Promise<{ ready: boolean; address?: string; lines: string[] }> {
  const lines: string[] = [];
  const state = await deps.kube.session(t);
  if (state.running) lines.push(`${t.name} was already ${state.status.toLowerCase()}`);
  else {
    await deps.kube.start(t);
    lines.push(`${t.name} started`);
  }
  const deadline = deps.now() + opts.readyTimeoutMs;
  let address: string | undefined;
  for (;;) {
    const vmi = await deps.kube.instance(t);
    if (vmi?.phase === "Running" && vmi.agentConnected) {
      address ??= await deps.kube.streamAddress(t);
      if (address && (await deps.streamingUp(address))) break;
    }
    if (deps.now() >= deadline) {
      const why = !vmi || vmi.phase !== "Running" ? `the session is ${vmi ? vmi.phase : "not scheduled"}` : !vmi.agentConnected ? "Windows's guest agent is not connected" : address ? `Windows is up but the streaming host does not answer at ${address}` : `the stream Service ${t.stream} has no LAN address`;
      lines.push(`not ready after ${Math.round(opts.readyTimeoutMs / 60_000)} min: ${why}`);
      await deps.notify("Gaming session not ready", `${t.name}: ${why}`, false);
      return { ready: false, address, lines };
    }
    await deps.sleep(pollMs);
  }
  lines.push(`ready: stream from ${address} (Moonlight)`);
  await deps.notify("Gaming session ready", `${t.name} is up: connect Moonlight to ${address}`, true);
  return { ready: true, address, lines };
}

/** Asks KubeVirt to stop the session (Windows shuts down through ACPI), and waits until its instance is gone. */
export async function stopSession(deps: SessionDeps, t: SessionTarget, timeoutMs = 300_000): Promise<string> {
  const state = await deps.kube.session(t);
  if (!state.running) return `${t.name} is already stopped`;
  await deps.kube.stop(t);
  const deadline = deps.now() + timeoutMs;
  while ((await deps.kube.instance(t)) !== undefined) {
    if (deps.now() >= deadline) throw new Error(`stop ${t.name}: its instance still runs after ${Math.round(timeoutMs / 1000)} s`);
    await deps.sleep(pollMs);
  }
  return `${t.name} stopped`;
}
