// The launch page's process in the prod cluster (services/gamingLaunch.ts):
// its settings from the environment the catalog entry gives it.
//   PROXMOX_ENDPOINT   https://<host>:8006
//   PROXMOX_NODE       the node's name
//   PROXMOX_INSECURE   "true" to accept the node's self-signed certificate
//   PROXMOX_GAMING_TOKEN  the control token (from the entry's Secret)
//   GAMING_VMID, GAMING_USABLE_MIB  the gaming VM and what the host gives VMs
//   NTFY_URL, NTFY_TOPIC, NTFY_TOKEN  where the ready notice goes
//   PORT               where it listens (all interfaces: the Service sends here)
import { accessGroups } from "../../contract/labels";
import { notify } from "../../delivery/notify";
import { apiToken, proxmoxClient } from "../proxmox";
import { proxmoxFetch, tcpAnswers } from "../transport";
import { LaunchServerDeps, startLaunchServer } from "./server";

/** The settings, checked before anything listens; a bad one names its variable. */
export function launchSettings(env: NodeJS.ProcessEnv) {
  const need = (key: string, pattern: RegExp, what: string) => {
    const v = env[key] ?? "";
    if (!pattern.test(v)) throw new Error(`${key}: expected ${what}`);
    return v;
  };
  const whole = (key: string, min: number, max: number) => {
    const n = Number(need(key, /^\d+$/, `a whole number from ${min} to ${max}`));
    if (n < min || n > max) throw new Error(`${key}: expected a whole number from ${min} to ${max}`);
    return n;
  };
  return {
    endpoint: need("PROXMOX_ENDPOINT", /^https:\/\/[^\s/]+(:\d+)?\/?$/, "the node's API address, https://<host>:8006"),
    node: need("PROXMOX_NODE", /^[A-Za-z0-9][A-Za-z0-9-]*$/, "the Proxmox node's name"),
    insecure: (env.PROXMOX_INSECURE ?? "false") === "true",
    token: need("PROXMOX_GAMING_TOKEN", apiToken.pattern, apiToken.expected),
    vmid: whole("GAMING_VMID", 100, 999_999_999),
    usableMiB: whole("GAMING_USABLE_MIB", 1024, 16_777_216),
    port: whole("PORT", 1, 65535),
    ntfy: { url: env.NTFY_URL || undefined, topic: env.NTFY_TOPIC || undefined, token: env.NTFY_TOKEN || undefined },
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const s = launchSettings(env);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const deps: LaunchServerDeps = {
    control: {
      pve: proxmoxClient({ endpoint: s.endpoint, node: s.node, token: s.token }, proxmoxFetch(s.insecure)),
      streamingUp: (address) => tcpAnswers(address),
      notify: (title, message, ok) => notify({ title, message, status: ok ? "success" : "failure" }, s.ntfy, log),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => Date.now(),
    },
    target: { vmid: s.vmid, usableMiB: s.usableMiB },
    readyTimeoutMs: 15 * 60_000,
    allowedGroups: [accessGroups.admin, accessGroups.gamers],
    log,
  };
  const server = await startLaunchServer(deps, s.port, "0.0.0.0");
  log(`launch page on ${server.url}`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
