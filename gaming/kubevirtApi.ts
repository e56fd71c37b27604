// The few Kubernetes API calls the launch page makes for a KubeVirt gaming
// session (hypervisor.gpu.consumer kubevirt), from KubeVirt's API reference:
// the VirtualMachine's printable status, its instance's phase and guest
// agent condition, the start and stop subresources, and the LAN address of
// the stream Service. Authenticated by the page's service account token.
import type { Fetch } from "./proxmox";

export interface KubeAccess {
  /** https://<host>:<port> of the API server (the pod's KUBERNETES_SERVICE_HOST and _PORT). */
  apiServer: string;
  /** The service account's bearer token (read for every call: the kubelet renews it). */
  token: string | (() => string);
}

/** One session: its VirtualMachine and the Service Moonlight reaches it at. */
export interface SessionTarget {
  namespace: string;
  name: string;
  /** The stream Service's name, in the same namespace. */
  stream: string;
}

export interface SessionState {
  name: string;
  /** KubeVirt's printable status: Stopped, Starting, Running, Stopping, Provisioning, ErrorUnschedulable... */
  status: string;
  running: boolean;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function kubevirtClient(access: KubeAccess, fetchImpl: Fetch = fetch) {
  const base = access.apiServer.replace(/\/+$/, "");
  async function call<T>(method: "GET" | "PUT", path: string): Promise<T> {
    const res = await fetchImpl(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${typeof access.token === "function" ? access.token() : access.token}`, Accept: "application/json", ...(method === "PUT" ? { "Content-Type": "application/json" } : {}) },
      // The subresources take an empty options object.
      ...(method === "PUT" ? { body: "{}" } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) {
      // The API server's Status object says why.
      let reason = text.slice(0, 200);
      try {
        reason = (JSON.parse(text) as { message?: string }).message ?? reason;
      } catch {
        // not JSON: the text itself
      }
      throw new KubeError(res.status, `Kubernetes ${method} ${path}: HTTP ${res.status}${reason ? ` ${reason}` : ""}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
  const ns = (t: SessionTarget) => `namespaces/${encodeURIComponent(t.namespace)}`;
  const vmPath = (t: SessionTarget) => `/apis/kubevirt.io/v1/${ns(t)}/virtualmachines/${encodeURIComponent(t.name)}`;
  const subresource = (t: SessionTarget, verb: "start" | "stop") => `/apis/subresources.kubevirt.io/v1/${ns(t)}/virtualmachines/${encodeURIComponent(t.name)}/${verb}`;
  return {
    async session(t: SessionTarget): Promise<SessionState> {
      const vm = await call<{ status?: { printableStatus?: string; ready?: boolean } }>("GET", vmPath(t));
      const status = vm.status?.printableStatus ?? "Stopped";
      return { name: t.name, status, running: status !== "Stopped" };
    },
    /** The running instance: its phase and whether the guest agent is connected; undefined when none runs. */
    async instance(t: SessionTarget): Promise<{ phase: string; agentConnected: boolean } | undefined> {
      try {
        const vmi = await call<{ status?: { phase?: string; conditions?: { type: string; status: string }[] } }>("GET", `/apis/kubevirt.io/v1/${ns(t)}/virtualmachineinstances/${encodeURIComponent(t.name)}`);
        return { phase: vmi.status?.phase ?? "Pending", agentConnected: (vmi.status?.conditions ?? []).some((c) => c.type === "AgentConnected" && c.status === "True") };
      } catch (e) {
        if (e instanceof KubeError && e.status === 404) return undefined;
        throw e;
      }
    },
    start: (t: SessionTarget) => call<unknown>("PUT", subresource(t, "start")),
    stop: (t: SessionTarget) => call<unknown>("PUT", subresource(t, "stop")),
    /** The stream Service's LAN address, once the pool has given it one. */
    async streamAddress(t: SessionTarget): Promise<string | undefined> {
      const svc = await call<{ status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>("GET", `/api/v1/${ns(t)}/services/${encodeURIComponent(t.stream)}`);
      return svc.status?.loadBalancer?.ingress?.find((i) => i.ip)?.ip;
    },
  };
}

export type KubevirtClient = ReturnType<typeof kubevirtClient>;
