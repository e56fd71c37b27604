// The platform's own metrics on prod (FR-020): a ServiceMonitor per piece
// that exposes them (Argo CD's controller, whose argocd_app_info the delivery
// alerts read; Longhorn's manager; Cilium's agent and Hubble; cert-manager),
// each selecting the metrics Service its chart creates. Applied by Pulumi once
// the monitoring chart (and its CRD) is in, since the charts that expose the
// metrics are installed before it. Pure.
import type { Manifest } from "../platform/context";
import { argocdNamespace } from "../platform/application";
import { certManagerNamespace } from "../platform/certManager";
import { longhornNamespace } from "../platform/storage";

interface MetricsService {
  /** The ServiceMonitor's name (the series' job is the Service's name, Prometheus' operator's default). */
  name: string;
  namespace: string;
  /** Labels of the chart's metrics Service (and of it alone). */
  selector: Record<string, string>;
  port: string;
  /** Whether the cluster runs it: Argo CD on the hub, Longhorn where it is the storage. */
  when: (c: { argocd: boolean; longhorn: boolean }) => boolean;
}

export const platformMetrics: MetricsService[] = [
  {
    name: "argocd-application-controller",
    namespace: argocdNamespace,
    selector: { "app.kubernetes.io/name": "argo-cd-metrics", "app.kubernetes.io/instance": "argocd", "app.kubernetes.io/component": "application-controller" },
    port: "http-metrics",
    when: (c) => c.argocd,
  },
  { name: "longhorn-manager", namespace: longhornNamespace, selector: { app: "longhorn-manager" }, port: "manager", when: (c) => c.longhorn },
  { name: "cilium-agent", namespace: "kube-system", selector: { "app.kubernetes.io/name": "cilium-agent" }, port: "metrics", when: () => true },
  { name: "hubble", namespace: "kube-system", selector: { "k8s-app": "hubble" }, port: "hubble-metrics", when: () => true },
  {
    name: "cert-manager",
    namespace: certManagerNamespace,
    selector: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "controller" },
    port: "tcp-prometheus-servicemonitor",
    when: () => true,
  },
];

export function platformServiceMonitors(c: { argocd: boolean; longhorn: boolean }): Manifest[] {
  return platformMetrics
    .filter((s) => s.when(c))
    .map((s) => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: s.name, namespace: s.namespace },
      spec: {
        selector: { matchLabels: s.selector },
        namespaceSelector: { matchNames: [s.namespace] },
        endpoints: [{ port: s.port, path: "/metrics", interval: "60s" }],
      },
    }));
}
