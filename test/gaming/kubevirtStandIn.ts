// A loopback stand-in of the Kubernetes API calls the launch page makes for a
// KubeVirt session, written from KubeVirt's API reference: the
// VirtualMachine with status.printableStatus, its instance
// (virtualmachineinstances/{name}: 404 while none runs, status.phase and the
// AgentConnected condition), the start and stop subresources (PUT
// subresources.kubevirt.io; 409 when already so), the Service with
// status.loadBalancer.ingress; 401 without the bearer token, Status objects
// for errors. A started session runs, and its agent connects, after the
// given number of instance reads.
import http from "http";
import type { AddressInfo } from "net";
import { cutOffRunaway } from "./proxmoxStandIn";

export interface StandInSession {
  namespace: string;
  name: string;
  stream: string;
  running: boolean;
  /** Instance reads after a start before the phase is Running, and before the agent connects. */
  bootReads: number;
  agentReads: number;
  /** The stream Service's LAN address (none until the pool gives one). */
  address?: string;
  /** The token may not read instances (a Role without them): 403. */
  instancesForbidden?: boolean;
}

export interface KubevirtStandIn {
  url: string;
  token: string;
  session: StandInSession;
  requests: string[];
  close(): Promise<void>;
}

export async function kubevirtStandIn(session: StandInSession, token = "service-account-token"): Promise<KubevirtStandIn> {
  const requests: string[] = [];
  let reads = 0;
  const status = (res: http.ServerResponse, code: number, message: string) => {
    res.writeHead(code, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, code }));
  };
  const json = (res: http.ServerResponse, body: unknown, code = 200) => {
    res.writeHead(code, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (cutOffRunaway(requests, res)) return;
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, "Unauthorized");
    const s = session;
    const ns = `namespaces/${s.namespace}`;
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    if (req.method === "GET" && path === `/apis/kubevirt.io/v1/${ns}/virtualmachines/${s.name}`) {
      const printableStatus = !s.running ? "Stopped" : reads < s.bootReads ? "Starting" : "Running";
      return json(res, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: s.name, namespace: s.namespace }, spec: { runStrategy: "Manual" }, status: { printableStatus, ready: printableStatus === "Running" } });
    }
    if (req.method === "GET" && path === `/apis/kubevirt.io/v1/${ns}/virtualmachineinstances/${s.name}`) {
      if (s.instancesForbidden) return status(res, 403, `virtualmachineinstances.kubevirt.io "${s.name}" is forbidden`);
      if (!s.running) return status(res, 404, `virtualmachineinstances.kubevirt.io "${s.name}" not found`);
      reads++;
      const phase = reads <= s.bootReads ? "Scheduling" : "Running";
      const conditions = [{ type: "Ready", status: phase === "Running" ? "True" : "False" }, ...(reads > s.bootReads + s.agentReads ? [{ type: "AgentConnected", status: "True" }] : [])];
      return json(res, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: s.name, namespace: s.namespace }, status: { phase, conditions } });
    }
    const sub = new RegExp(`^/apis/subresources\\.kubevirt\\.io/v1/${ns}/virtualmachines/${s.name}/(start|stop)$`).exec(path);
    if (req.method === "PUT" && sub) {
      // The subresources take JSON options (virtctl sends {}).
      if (req.headers["content-type"] !== "application/json") return status(res, 415, "the body must be application/json");
      try {
        if (typeof JSON.parse(body) !== "object") throw new Error("not an object");
      } catch {
        return status(res, 400, "the body must be a JSON object");
      }
      if (sub[1] === "start") {
        if (s.running) return status(res, 409, "Always does not support manual start requests");
        s.running = true;
        reads = 0;
      } else {
        if (!s.running) return status(res, 409, "VM is not running");
        s.running = false;
      }
      res.writeHead(202);
      return res.end();
    }
    if (req.method === "GET" && path === `/api/v1/${ns}/services/${s.stream}`) {
      return json(res, { apiVersion: "v1", kind: "Service", metadata: { name: s.stream, namespace: s.namespace }, spec: { type: "LoadBalancer" }, status: { loadBalancer: s.address ? { ingress: [{ ip: s.address }] } : {} } });
    }
    status(res, 404, "the server could not find the requested resource");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, token, session, requests, close: () => new Promise((r) => server.close(() => r())) };
}
