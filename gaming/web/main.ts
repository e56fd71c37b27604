// The launch page's process in the prod cluster (services/gamingLaunch.ts):
// its settings from the environment the catalog entry gives it.
//   GAMING_BACKEND     proxmox (the gaming VM) or kubevirt (the KubeVirt session: hypervisor.gpu.consumer)
//   with proxmox:
//   PROXMOX_ENDPOINT   https://<host>:8006
//   PROXMOX_NODE       the node's name
//   PROXMOX_INSECURE   "true" to accept the node's self-signed certificate
//   PROXMOX_GAMING_TOKEN  the control token (from the entry's Secret)
//   GAMING_VMID, GAMING_USABLE_MIB  the gaming VM and what the host gives VMs
//   NTFY_URL, NTFY_TOPIC, NTFY_TOKEN  where the ready notice goes
//   with kubevirt:
//   GAMING_SESSION     <namespace>/<name> of the session's VirtualMachine
//   GAMING_STREAM_SERVICE  the Service Moonlight reaches it at (same namespace)
//   KUBERNETES_SERVICE_HOST, _PORT  the API server (the kubelet sets them), with the pod's
//                      service account token and CA (/var/run/secrets/kubernetes.io/serviceaccount)
//   NTFY_URL, NTFY_TOPIC, NTFY_TOKEN  where the ready notice goes
//   PORT               where it listens (all interfaces: the Service sends here)
import * as fs from "fs";
import * as path from "path";
import { accessGroups } from "../../contract/labels";
import { notify } from "../../delivery/notify";
import { kubevirtClient } from "../kubevirtApi";
import { apiToken, proxmoxClient } from "../proxmox";
import { kubeFetch, proxmoxFetch, tcpAnswers } from "../transport";
import { LaunchBackend, LaunchServerDeps, kubevirtBackend, proxmoxBackend, startLaunchServer } from "./server";

/** Where the kubelet mounts the pod's service account token and the cluster's CA. */
export const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

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
  const common = {
    port: whole("PORT", 1, 65535),
    ntfy: { url: env.NTFY_URL || undefined, topic: env.NTFY_TOPIC || undefined, token: env.NTFY_TOKEN || undefined },
  };
  const backend = need("GAMING_BACKEND", /^(proxmox|kubevirt)$/, "proxmox or kubevirt");
  if (backend === "kubevirt") {
    const [namespace, name] = need("GAMING_SESSION", /^[a-z0-9-]{1,63}\/[a-z0-9-]{1,63}$/, "the session's VirtualMachine as <namespace>/<name>").split("/");
    return {
      ...common,
      backend: "kubevirt" as const,
      session: { namespace, name, stream: need("GAMING_STREAM_SERVICE", /^[a-z0-9-]{1,63}$/, "the stream Service's name") },
      apiServer: `https://${need("KUBERNETES_SERVICE_HOST", /^[A-Za-z0-9.:-]+$/, "the API server's address (the kubelet sets it)")}:${whole("KUBERNETES_SERVICE_PORT", 1, 65535)}`,
    };
  }
  return {
    ...common,
    backend: "proxmox" as const,
    endpoint: need("PROXMOX_ENDPOINT", /^https:\/\/[^\s/]+(:\d+)?\/?$/, "the node's API address, https://<host>:8006"),
    node: need("PROXMOX_NODE", /^[A-Za-z0-9][A-Za-z0-9-]*$/, "the Proxmox node's name"),
    insecure: (env.PROXMOX_INSECURE ?? "false") === "true",
    token: need("PROXMOX_GAMING_TOKEN", apiToken.pattern, apiToken.expected),
    vmid: whole("GAMING_VMID", 100, 999_999_999),
    usableMiB: whole("GAMING_USABLE_MIB", 1024, 16_777_216),
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env, accountDir = serviceAccountDir): Promise<void> {
  const s = launchSettings(env);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const effects = {
    streamingUp: (address: string) => tcpAnswers(address),
    notify: (title: string, message: string, ok: boolean) => notify({ title, message, status: ok ? "success" : "failure" }, s.ntfy, log),
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  const readyTimeoutMs = 15 * 60_000;
  let backend: LaunchBackend;
  if (s.backend === "kubevirt") {
    // The projected token is renewed on disk by the kubelet: read it for every call.
    const token = () => fs.readFileSync(path.join(accountDir, "token"), "utf8").trim();
    const ca = fs.readFileSync(path.join(accountDir, "ca.crt"), "utf8");
    backend = kubevirtBackend({ ...effects, kube: kubevirtClient({ apiServer: s.apiServer, token }, kubeFetch(ca)) }, s.session, readyTimeoutMs);
  } else {
    backend = proxmoxBackend({ ...effects, pve: proxmoxClient({ endpoint: s.endpoint, node: s.node, token: s.token }, proxmoxFetch(s.insecure)) }, { vmid: s.vmid, usableMiB: s.usableMiB }, readyTimeoutMs);
  }
  const deps: LaunchServerDeps = { backend, allowedGroups: [accessGroups.admin, accessGroups.gamers], log };
  const server = await startLaunchServer(deps, s.port, "0.0.0.0");
  log(`launch page on ${server.url} (${s.backend})`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
