// `npm run gaming -- <command>`: the gaming VM on demand, from the admin's
// machine on the LAN (story 6.1.3). The host, the VM and the memory the host
// gives VMs come from the committed prod stack; the Proxmox token from
// PROXMOX_GAMING_TOKEN (<user>@<realm>!<token id>=<secret>); notifications
// from NTFY_URL, NTFY_TOPIC and NTFY_TOKEN, as the workflows send them.
//
//   status                                   the host's VMs and whether the gaming VM fits now
//   start [--stop-dev] [--timeout-minutes n]  start it (stopping DEV only with --stop-dev), wait until it streams
//   stop                                     shut it down cleanly
import { committedConfig } from "../plan/stackFiles";
import { ProdConfig, vmMemoryGb } from "../config/schema";
import { sessionsNamespace } from "../components/gaming/kubevirt";
import { notify } from "../delivery/notify";
import { UsageError, option } from "../delivery/usage";
import { ControlDeps, startGaming, stopGaming } from "./control";
import { memoryVerdict } from "./memory";
import { Fetch, apiToken, proxmoxClient } from "./proxmox";
import { proxmoxFetch, tcpAnswers } from "./transport";

export const commands = ["status", "start", "stop"] as const;

/** What the commands act on, from the committed prod stack. */
export function gamingTarget(c: ProdConfig = committedConfig("prod")) {
  return {
    access: { endpoint: c.proxmox.endpoint, node: c.proxmox.nodeName },
    insecure: c.proxmox.insecure,
    vmid: c.gamingVm.vmId,
    usableMiB: vmMemoryGb(c.proxmox) * 1024,
    // With KubeVirt given the GPU the Proxmox VM has none: the session (namespace/name) is what to start.
    ...(c.hypervisor.gpu.consumer === "kubevirt" ? { kubevirtSession: { namespace: sessionsNamespace, name: c.gamingVm.name } } : {}),
  };
}

export interface GamingArgs {
  command: (typeof commands)[number];
  stopDev: boolean;
  timeoutMinutes: number;
}

/** The command line, checked before anything is read or called. */
export function parseGamingArgs(argv: string[]): GamingArgs {
  const [command, ...rest] = argv;
  if (!(commands as readonly string[]).includes(command ?? "")) throw new UsageError(`${command ?? "(no command)"}: expected one of ${commands.join(", ")}`);
  const allowed = command === "start" ? ["--stop-dev", "--timeout-minutes"] : [];
  const unknown = rest.filter((a, i) => !allowed.includes(a) && !(rest[i - 1] === "--timeout-minutes" && allowed.includes("--timeout-minutes")));
  if (unknown.length) throw new UsageError(`${command}: unknown ${unknown.join(" ")}; expected ${allowed.join(", ") || "no options"}`);
  const timeoutMinutes = Number(option(rest, "--timeout-minutes") ?? "15");
  if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1 || timeoutMinutes > 60) throw new UsageError("--timeout-minutes: expected a whole number from 1 to 60");
  return { command: command as GamingArgs["command"], stopDev: rest.includes("--stop-dev"), timeoutMinutes };
}

export async function runGaming(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void = console.log, fetchImpl?: Fetch, config?: ProdConfig): Promise<number> {
  const { command, stopDev, timeoutMinutes } = parseGamingArgs(argv);
  const t = gamingTarget(config);
  if (command === "start" && t.kubevirtSession) {
    const s = t.kubevirtSession;
    out(`not started: the GPU is KubeVirt's (hypervisor.gpu.consumer), the Proxmox VM has none; start the session from the launch page, or with \`kubectl virt start ${s.name} -n ${s.namespace}\``);
    return 1;
  }
  const token = env.PROXMOX_GAMING_TOKEN ?? "";
  if (!apiToken.pattern.test(token)) throw new UsageError(`PROXMOX_GAMING_TOKEN: expected ${apiToken.expected}`);

  const deps: ControlDeps = {
    pve: proxmoxClient({ ...t.access, token }, fetchImpl ?? proxmoxFetch(t.insecure)),
    streamingUp: (address) => tcpAnswers(address),
    notify: (title, message, ok) => notify({ title, message, status: ok ? "success" : "failure" }, { url: env.NTFY_URL, topic: env.NTFY_TOPIC || undefined, token: env.NTFY_TOKEN || undefined }, out),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  switch (command) {
    case "status": {
      const vms = await deps.pve.vms();
      for (const v of vms) out(`${String(v.vmid).padStart(4)} ${v.name.padEnd(16)} ${v.running ? "running" : "stopped"} ${Math.round(v.memoryMiB / 1024)} GB  ${v.tags.join(",")}`);
      const verdict = memoryVerdict(vms, t.vmid, t.usableMiB);
      out(verdict.fits ? `the gaming VM fits: ${Math.round(verdict.freeMiB / 1024)} GB free` : verdict.reason);
      return 0;
    }
    case "start": {
      const r = await startGaming(deps, { vmid: t.vmid, usableMiB: t.usableMiB }, { stopDev, readyTimeoutMs: timeoutMinutes * 60_000 });
      if (!r.started) {
        out(`not started: ${r.verdict.reason}`);
        return 1;
      }
      out(r.lines.join("\n"));
      return r.ready ? 0 : 1;
    }
    default:
      out(await stopGaming(deps, t.vmid));
      return 0;
  }
}

if (require.main === module) {
  runGaming(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`npm run gaming: ${e instanceof Error ? e.message : e}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
