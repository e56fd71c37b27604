// Cilium: the CNI of every cluster. It replaces kube-proxy, implements the
// Gateway API, encrypts node-to-node traffic with WireGuard, enforces
// network policies and exports Hubble metrics. Installed by Pulumi directly
// (wave 0): nothing else can start before it.
import { Manifest, PlatformContext, namespace } from "./context";
import { resources } from "./resources";

/** Talos' KubePrism: a local API-server load balancer on every node, reachable before any CNI. */
export const kubePrism = { host: "localhost", port: 7445 } as const;

/** Label a Service needs to draw a LAN address (only the services listed in config get it). */
export const lanLoadBalancerLabel = "homelab.io/lan-load-balancer";

/** Asks Cilium's LB-IPAM for exactly this address of the pool (one clients were told). */
export const lanAddressAnnotation = (ip: string) => ({ "lbipam.cilium.io/ips": ip });

export function ciliumValues(ctx: PlatformContext): Record<string, unknown> {
  const small = resources("10m", "32Mi", "200m", "128Mi");
  return {
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement: true,
    k8sServiceHost: kubePrism.host,
    k8sServicePort: kubePrism.port,
    // Talos mounts cgroup v2 itself and does not allow SYS_MODULE.
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
    securityContext: {
      capabilities: {
        ciliumAgent: ["CHOWN", "KILL", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "SYS_ADMIN", "SYS_RESOURCE", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
        cleanCiliumState: ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
      },
    },
    // Network policies are enforced for every endpoint that a policy selects.
    policyEnforcementMode: "default",
    encryption: { enabled: true, type: "wireguard" },
    gatewayAPI: { enabled: true, enableAlpn: true, enableAppProtocol: true },
    l2announcements: { enabled: ctx.platform.lanLoadBalancer !== undefined },
    // L2 announcements renew leases through the API server; keep its client rate in line.
    k8sClientRateLimit: { qps: 20, burst: 40 },
    operator: { replicas: 1, resources: resources("25m", "64Mi", "500m", "256Mi") },
    // The agent's metrics Service without the chart's ServiceMonitor (its CRD comes later, with the monitoring chart).
    prometheus: { enabled: true, metricsService: true },
    resources: resources("50m", "192Mi", "1000m", "768Mi"),
    // The agent's init containers (cgroup and BPF mounts, state cleanup, CNI install).
    initResources: small,
    cni: { resources: resources("10m", "10Mi", "100m", "64Mi") },
    envoy: { resources: resources("25m", "64Mi", "500m", "256Mi") },
    hubble: {
      enabled: true,
      metrics: {
        enabled: ["dns", "drop", "tcp", "flow", "port-distribution", "icmp", "httpV2:exemplars=true;labelsContext=source_namespace,destination_namespace,traffic_direction"],
        enableOpenMetrics: true,
      },
      relay: { enabled: true, resources: small },
      // The UI stays inside the cluster (port-forward, or an admin-only route later).
      ui: { enabled: true, service: { type: "ClusterIP" }, backend: { resources: small }, frontend: { resources: resources("10m", "16Mi", "100m", "64Mi") } },
    },
  };
}

/** LB-IPAM pool and L2 announcement policy, limited to the Services the config allows. */
export function lanLoadBalancerManifests(ctx: PlatformContext): Manifest[] {
  const lb = ctx.platform.lanLoadBalancer;
  if (!lb) return [];
  const serviceSelector = { matchLabels: { [lanLoadBalancerLabel]: "true" } };
  return [
    {
      apiVersion: "cilium.io/v2",
      kind: "CiliumLoadBalancerIPPool",
      metadata: { name: "lan" },
      spec: { blocks: [{ cidr: lb.pool }], serviceSelector },
    },
    {
      apiVersion: "cilium.io/v2alpha1",
      kind: "CiliumL2AnnouncementPolicy",
      metadata: { name: "lan" },
      spec: { serviceSelector, interfaces: lb.interfaces, loadBalancerIPs: true, externalIPs: false },
    },
  ];
}

export const gatewayNamespace = "gateway";
export const tunnelGatewayName = "tunnel";

/**
 * One Gateway per cluster, the target of the Cloudflare tunnel: plain HTTP
 * inside the cluster, TLS ends at Cloudflare's edge. Its Service never gets
 * a LAN address (the LB pool only serves labelled Services).
 */
export function gatewayManifests(): Manifest[] {
  return [
    namespace(gatewayNamespace, "restricted"),
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: tunnelGatewayName, namespace: gatewayNamespace },
      spec: {
        gatewayClassName: "cilium",
        listeners: [{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } }],
      },
    },
  ];
}
