// Logs, metrics and probes of every cluster, in one place (FR-020): Loki and
// Prometheus run on prod only; every cluster runs Grafana Alloy, which tails
// its pods' logs through the API server and, where no Prometheus runs, probes
// its services with its embedded blackbox exporter. Dev and the cloud send to
// prod's telemetry address, a fixed LAN address of prod's pool where prod's
// own Alloy receives and forwards: dev is on that LAN, the cloud nodes reach
// it through Twingate (by address, like the NFS share). Pure: the Alloy
// add-on, the LAN Service and the plan read these.
import { stringify } from "yaml";
import { blackboxModules, probeInterval, servicesProbeJob, type ServiceProbe } from "./probes";
import { monitoringNamespace, prometheusInClusterUrl } from "./metrics";
import { scrapeInterval, serviceMetricsJob, type ServiceScrape } from "./scrapes";
import type { Manifest } from "../platform/context";
import { lanAddressAnnotation, lanLoadBalancerLabel } from "../platform/cilium";
import { telemetryServiceRef } from "../../config/schema";

/** Ports of prod's telemetry address: Loki's push API and Prometheus' remote write, as Alloy receives them. */
export const telemetryPorts = { logs: 3100, metrics: 9090 } as const;
/** The paths Alloy's receivers answer (loki.source.api, prometheus.receive_http). */
export const telemetryPaths = { logs: "/loki/api/v1/push", metrics: "/api/v1/metrics/write" } as const;

export const alloyRelease = "alloy";
export const lokiRelease = "loki";
/** In SingleBinary mode the chart names Loki's Service after the release (it contains "loki"). */
export const lokiPushUrl = `http://${lokiRelease}.${monitoringNamespace}.svc.cluster.local:3100/loki/api/v1/push`;
/** kube-prometheus-stack's Prometheus Service (release kube-prometheus-stack), with its remote-write receiver on. */
export const prometheusWriteUrl = `${prometheusInClusterUrl}/api/v1/write`;
export const alertmanagerUrl = `http://kube-prometheus-stack-alertmanager.${monitoringNamespace}.svc.cluster.local:9093`;

/** Prod receives (its Alloy forwards to Loki and Prometheus); the others send to prod's address and probe their own services. */
export type TelemetryRole = { role: "receiver"; address: string } | { role: "sender"; address: string; stack: "dev" | "cloud"; probes: ServiceProbe[]; scrapes: ServiceScrape[] };

/** A River string literal: Alloy's syntax reads Go-style escapes, which JSON's are a subset of. */
export const riverString = (s: string): string => JSON.stringify(s);

/** A River block: its head, then each line indented by two spaces. */
export const block = (head: string, lines: string[]): string[] => [`${head} {`, ...lines.map((l) => `  ${l}`), "}"];
/** A River object literal of string keys and values, on one line. */
export const riverMap = (m: Record<string, string>): string => `{ ${Object.entries(m).map(([k, v]) => `${riverString(k)} = ${riverString(v)}`).join(", ")} }`;

/** Every pod's logs, labelled with where they come from; the cluster label set here so the receiver never rewrites it. */
function podLogs(cluster: string, forwardTo: string): string[] {
  const rule = (source: string, target: string) => block("rule", [`source_labels = [${riverString(source)}]`, `target_label  = ${riverString(target)}`]);
  return [
    ...block('discovery.kubernetes "pods"', ['role = "pod"']),
    ...block('discovery.relabel "pods"', [
      "targets = discovery.kubernetes.pods.targets",
      ...rule("__meta_kubernetes_namespace", "namespace"),
      ...rule("__meta_kubernetes_pod_name", "pod"),
      ...rule("__meta_kubernetes_pod_container_name", "container"),
      ...rule("__meta_kubernetes_pod_label_app_kubernetes_io_name", "app"),
      ...block("rule", [`target_label = "cluster"`, `replacement  = ${riverString(cluster)}`]),
    ]),
    ...block('loki.source.kubernetes "pods"', ["targets    = discovery.relabel.pods.output", `forward_to = [${forwardTo}]`]),
  ];
}

/** The services' probes through Alloy's embedded blackbox exporter: the series prod's probe alerts read. */
function probes(list: ServiceProbe[], forwardTo: string): string[] {
  if (list.length === 0) return [];
  const targets = list.flatMap((p) => block("target", [`name    = ${riverString(p.service)}`, `address = ${riverString(p.url)}`, `module  = ${riverString(p.module)}`, `labels  = ${riverMap({ service: p.service })}`]));
  return [
    ...block('prometheus.exporter.blackbox "services"', [`config = ${riverString(stringify({ modules: blackboxModules }))}`, ...targets]),
    ...block('discovery.relabel "probes"', [
      "targets = prometheus.exporter.blackbox.services.targets",
      ...block("rule", [`target_label = "job"`, `replacement  = ${riverString(servicesProbeJob)}`]),
      // The probed URL, as Prometheus' Probe objects name it.
      ...block("rule", ['source_labels = ["__param_target"]', 'target_label  = "instance"']),
    ]),
    ...block('prometheus.scrape "probes"', ["targets         = discovery.relabel.probes.output", `scrape_interval = ${riverString(probeInterval)}`, `forward_to      = [${forwardTo}]`]),
  ];
}

/** The services' own metrics (scrapes.ts), at the same targets prod's ScrapeConfigs name. */
function serviceMetrics(list: ServiceScrape[], forwardTo: string): string[] {
  if (list.length === 0) return [];
  const targets = list.map((s) => riverMap({ __address__: s.target, __metrics_path__: s.path, service: s.service }));
  return block('prometheus.scrape "services"', [`targets         = [${targets.join(", ")}]`, `job_name        = ${riverString(serviceMetricsJob)}`, `scrape_interval = ${riverString(scrapeInterval)}`, `forward_to      = [${forwardTo}]`]);
}

/** What the senders keep of their kubelets' cAdvisor: the containers' memory and CPU, and whether each kubelet answers. */
export const keptNodeMetrics = ["up", "container_memory_working_set_bytes", "container_cpu_usage_seconds_total"] as const;

/** Each node's kubelet (cAdvisor) through the API server's proxy, with Alloy's service account: no port of the node is opened. */
function kubeletMetrics(forwardTo: string): string[] {
  const serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";
  return [
    ...block('discovery.kubernetes "nodes"', ['role = "node"']),
    ...block('discovery.relabel "kubelet"', [
      "targets = discovery.kubernetes.nodes.targets",
      ...block("rule", ['target_label = "__address__"', 'replacement  = "kubernetes.default.svc:443"']),
      ...block("rule", ['source_labels = ["__meta_kubernetes_node_name"]', 'regex         = "(.+)"', 'target_label  = "__metrics_path__"', 'replacement   = "/api/v1/nodes/$1/proxy/metrics/cadvisor"']),
      ...block("rule", ['source_labels = ["__meta_kubernetes_node_name"]', 'target_label  = "node"']),
    ]),
    ...block('prometheus.scrape "kubelet"', [
      "targets           = discovery.relabel.kubelet.output",
      'job_name          = "kubelet"',
      'scheme            = "https"',
      `bearer_token_file = ${riverString(`${serviceAccount}/token`)}`,
      ...block("tls_config", [`ca_file = ${riverString(`${serviceAccount}/ca.crt`)}`]),
      `scrape_interval   = ${riverString(probeInterval)}`,
      "forward_to        = [prometheus.relabel.kubelet.receiver]",
    ]),
    ...block('prometheus.relabel "kubelet"', [
      `forward_to = [${forwardTo}]`,
      ...block("rule", ['source_labels = ["__name__"]', `regex         = ${riverString(keptNodeMetrics.join("|"))}`, 'action        = "keep"']),
    ]),
  ];
}

/** Alloy's configuration on one cluster. */
export function alloyConfig(cluster: string, t: TelemetryRole): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(cluster)) throw new Error(`alloyConfig: cluster ${JSON.stringify(cluster)}: expected a DNS label`);
  const lines: string[] =
    t.role === "receiver"
      ? [
          ...block('loki.write "prod"', [...block("endpoint", [`url = ${riverString(lokiPushUrl)}`])]),
          ...podLogs(cluster, "loki.write.prod.receiver"),
          // What dev and the cloud send, passed on unchanged (their cluster label included).
          ...block('loki.source.api "senders"', [...block("http", ['listen_address = "0.0.0.0"', `listen_port    = ${telemetryPorts.logs}`]), "use_incoming_timestamp = true", "forward_to = [loki.write.prod.receiver]"]),
          ...block('prometheus.remote_write "prod"', [...block("endpoint", [`url = ${riverString(prometheusWriteUrl)}`])]),
          ...block('prometheus.receive_http "senders"', [...block("http", ['listen_address = "0.0.0.0"', `listen_port    = ${telemetryPorts.metrics}`]), "forward_to = [prometheus.remote_write.prod.receiver]"]),
        ]
      : [
          ...block('loki.write "prod"', [...block("endpoint", [`url = ${riverString(`http://${t.address}:${telemetryPorts.logs}${telemetryPaths.logs}`)}`])]),
          ...podLogs(cluster, "loki.write.prod.receiver"),
          ...block('prometheus.remote_write "prod"', [
            ...block("endpoint", [`url = ${riverString(`http://${t.address}:${telemetryPorts.metrics}${telemetryPaths.metrics}`)}`]),
            // Added where a series has no such label yet: every alert says which cluster it is about, and dev's only reach the digest.
            `external_labels = ${riverMap({ cluster, stack: t.stack })}`,
          ]),
          ...kubeletMetrics("prometheus.remote_write.prod.receiver"),
          ...probes(t.probes, "prometheus.remote_write.prod.receiver"),
          ...serviceMetrics(t.scrapes, "prometheus.remote_write.prod.receiver"),
        ];
  const text = `${lines.join("\n")}\n`;
  // The chart passes the configuration through Helm's tpl: a {{ would be read as a template.
  if (text.includes("{{")) throw new Error(`alloyConfig on ${cluster}: the configuration holds "{{", which the Alloy chart would read as a Helm template`);
  return text;
}

/** Prod's telemetry address: a LoadBalancer Service of the LAN pool in front of prod's Alloy receivers. */
export function telemetryService(address: string): Manifest {
  const [namespace, name] = telemetryServiceRef.split("/");
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: { [lanLoadBalancerLabel]: "true" }, annotations: lanAddressAnnotation(address) },
    spec: {
      type: "LoadBalancer",
      // The chart's pod labels for release alloy.
      selector: { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": alloyRelease },
      ports: [
        { name: "logs", port: telemetryPorts.logs, targetPort: telemetryPorts.logs, protocol: "TCP" },
        { name: "metrics", port: telemetryPorts.metrics, targetPort: telemetryPorts.metrics, protocol: "TCP" },
      ],
    },
  };
}
