import { AlertRule, alertTable, baseGroups, expandSummary, probeGroup, ruleGroups, ruleTestsDocument, rulesDocument } from "../../components/monitoring/alerts";
import { alertmanagerConfig, clusterRouting, receiverOf, receivers, timings } from "../../components/monitoring/alertmanager";
import { homelabMetrics } from "../../components/monitoring/metrics";
import { probeManifest, serviceProbe } from "../../components/monitoring/probes";
import { scrapeConfigManifest, serviceScrape } from "../../components/monitoring/scrapes";
import { alloyConfig, riverString, telemetryService } from "../../components/monitoring/telemetry";
import { allDashboards, dashboardJson, dashboardProblems, datasources, platformDashboards, promqlOfJson, promqlQueries, serviceDashboards } from "../../components/monitoring/dashboards";
import { platformServiceMonitors } from "../../components/monitoring/serviceMonitors";
import { bcryptHash, bcryptSalt, ntfyAuthEnv } from "../../components/monitoring/ntfy";
import { generatedSecret } from "../../components/service/manifests";
import { compareSync } from "bcryptjs";
import { networkPolicy } from "../../components/service/manifests";
import { catalog } from "../../services";
import type { ServiceEntry } from "../../services/entry";
import { monitoringReleases, serviceImages } from "../../config/versions";
import * as fs from "fs";
import * as path from "path";

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const groups = ruleGroups(catalog);
const all: AlertRule[] = groups.flatMap((g) => g.rules);

describe("alert rules", () => {
  it("cover disks, filesystems, machines, certificates, delivery, backups, the cloud allowance, sign-ins and every service", () => {
    expect(groups.map((g) => g.name)).toEqual(["disks", "filesystems", "machines", "certificates", "delivery", "backups", "cloud", "security", "services"]);
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining(["DiskSmartFailed", "ZfsPoolDegraded", "ZfsChecksumErrors", "ZfsScrubFoundErrors", "FilesystemAlmostFull", "MachineDown", "ClusterNodeUnreachable", "KubernetesNodeNotReady", "CertificateExpired", "ArgoApplicationDegraded", "ArgoApplicationOutOfSync", "BackupFailed", "BackupStale", "RestoreDrillStale", "OciBeyondAlwaysFree", "OciUsageUnknown", "TelemetryMissing", "AdminSignInFromNewAddress", "SignInFromNewAddress", "ServiceDown"]),
    );
  });

  it("each carry a severity, a duration and a summary whose labels the firing case has", () => {
    for (const r of all) {
      expect(["critical", "warning"]).toContain(r.severity);
      expect(r.for).toMatch(/^\d+[mh]$/);
      expect(() => expandSummary(r.summary, r.fires.labels ?? {})).not.toThrow();
      expect(r.fires.series.length).toBeGreaterThan(0);
      expect(r.silent.series.length).toBeGreaterThan(0);
    }
  });

  it("read the metrics the program's own producers write, by their one name", () => {
    const exprs = all.map((r) => r.expr).join("\n");
    for (const name of Object.values(homelabMetrics)) expect(exprs).toContain(name);
  });

  it("hold an entry with an objective to it: a quick critical alert, and a warning when a day eats the month's budget", () => {
    const services = probeGroup(catalog).rules;
    expect(services.map((r) => [r.alert, r.severity, r.for])).toEqual([
      ["ServiceDown", "warning", "10m"],
      ["ServiceDownObjective", "critical", "2m"],
      ["ServiceObjectiveAtRisk", "warning", "0m"],
    ]);
    expect(services[0].expr).toBe('probe_success{job="services",service!~"comet"} == 0');
    expect(services[1].expr).toBe('probe_success{job="services",service="comet"} == 0');
    expect(services[1].summary).toBe("{{ $labels.service }} is down; its objective is 99 % uptime");
    expect(services[2].expr).toBe('1 - avg_over_time(probe_success{job="services",service="comet"}[1d]) > 0.01');
    expect(services[2].summary).toBe("{{ $labels.service }} failed more than 1 % of its probes over the last day");
  });

  it("probe every service alike when no entry has an objective", () => {
    const plain = catalog.map((e) => ({ ...e, objective: undefined }) as ServiceEntry);
    const services = probeGroup(plain).rules;
    expect(services.map((r) => r.alert)).toEqual(["ServiceDown"]);
    expect(services[0].expr).toBe('probe_success{job="services"} == 0');
    const strict = probeGroup([{ ...catalog[0], name: "b", objective: { availability: 0.995, why: "x" } }, { ...catalog[0], name: "a", objective: { availability: 0.9, why: "x" } }] as ServiceEntry[]).rules;
    expect(strict[0].expr).toBe('probe_success{job="services",service!~"a|b"} == 0');
    expect(strict.filter((r) => r.alert === "ServiceObjectiveAtRisk").map((r) => [r.expr.match(/service="(\w)"/)?.[1], r.expr.split("> ")[1], r.summary.match(/than (\S+) %/)?.[1]])).toEqual([
      ["a", "0.1", "10"],
      ["b", "0.005", "0.5"],
    ]);
  });

  it("fill only {{ $labels.<name> }} into a summary, and refuse a label the alert lacks or other templates", () => {
    expect(expandSummary("{{ $labels.a }} and {{$labels.b}}", { a: "x", b: "y" })).toBe("x and y");
    expect(() => expandSummary("{{ $value }}", {})).toThrow('expected only {{ $labels.<name> }} templates, got {{ $value }}');
    expect(() => expandSummary("{{ $labels.zpool }}", { pool: "tank" })).toThrow("the alert has no label zpool");
  });

  it("render the rule file and one firing and one silent unit test per rule", () => {
    const doc = rulesDocument(baseGroups);
    expect(doc.groups[0].name).toBe("disks");
    expect(doc.groups[0].rules).toContainEqual({
      alert: "DiskSmartFailed",
      expr: "smartmon_device_smart_healthy != 1",
      for: "0m",
      labels: { severity: "critical" },
      annotations: { summary: "Disk {{ $labels.disk }} on {{ $labels.instance }} fails its SMART self-assessment: replace it" },
    });
    const tests = ruleTestsDocument(baseGroups, "rules.yaml") as Rec;
    expect(tests.rule_files).toEqual(["rules.yaml"]);
    const count = baseGroups.reduce((n, g) => n + g.rules.length, 0);
    expect(tests.tests).toHaveLength(2 * count);
    expect(tests.tests[0]).toEqual({
      name: "DiskSmartFailed fires",
      interval: "1m",
      input_series: [{ series: 'smartmon_device_smart_healthy{instance="pve",disk="/dev/sda",type="sat"}', values: "1 1 0 0" }],
      alert_rule_test: [
        {
          eval_time: "3m",
          alertname: "DiskSmartFailed",
          exp_alerts: [{ exp_labels: { instance: "pve", disk: "/dev/sda", type: "sat", severity: "critical" }, exp_annotations: { summary: "Disk /dev/sda on pve fails its SMART self-assessment: replace it" } }],
        },
      ],
    });
    expect(tests.tests[1].alert_rule_test[0].exp_alerts).toEqual([]);
  });

  it("list each rule with its severity and receiver for the plan", () => {
    const table = alertTable(groups, receiverOf);
    expect(table).toHaveLength(all.length);
    expect(table.find((r) => r.alert === "DiskSmartFailed")).toEqual({ alert: "DiskSmartFailed", group: "disks", severity: "critical", for: "0m", receiver: "critical (Telegram + ntfy, at once)" });
    expect(table.find((r) => r.alert === "ZfsScrubOverdue")?.receiver).toBe("digest (ntfy digest)");
  });
});

describe("Alertmanager's configuration", () => {
  // Built inside each test, so that each test exercises the renderer itself.
  const build = () => alertmanagerConfig(clusterRouting(-1001234567890)) as Rec;

  it("sends critical alerts one by one at once, warnings and everything from dev into a per-cluster digest, the Watchdog nowhere", () => {
    const config = build();
    expect(config.route).toMatchObject({ receiver: "digest", group_by: ["cluster"], group_wait: "1m", group_interval: "4h", repeat_interval: "24h" });
    expect(config.route.routes).toEqual([
      { receiver: "nowhere", matchers: ['alertname="Watchdog"'] },
      { receiver: "digest", matchers: ['stack="dev"'] },
      { receiver: "critical", matchers: ['severity="critical"'], group_by: ["..."], group_wait: "10s", group_interval: "5m", repeat_interval: "4h" },
    ]);
    expect(timings.critical.groupWait).toBe("10s");
  });

  it("gives the critical receiver Telegram and ntfy's critical topic, the digest ntfy's digest topic, with mounted secrets", () => {
    const config = build();
    expect(config.receivers.map((r: Rec) => r.name)).toEqual(["critical", "digest", "nowhere"]);
    const [critical, digest, nowhere] = config.receivers;
    expect(critical.telegram_configs).toEqual([
      { api_url: "https://api.telegram.org", bot_token_file: "/etc/alertmanager/secrets/alertmanager-notify/telegram-bot-token", chat_id: -1001234567890, parse_mode: "HTML", send_resolved: true },
    ]);
    expect(critical.webhook_configs).toEqual([
      {
        url: "http://ntfy.ntfy.svc.cluster.local:2586/homelab-critical?template=alertmanager&priority=5",
        send_resolved: true,
        http_config: { authorization: { type: "Bearer", credentials_file: "/etc/alertmanager/secrets/alertmanager-ntfy/token" } },
      },
    ]);
    expect(digest.webhook_configs).toEqual([
      {
        url: "http://ntfy.ntfy.svc.cluster.local:2586/homelab-digest?template=alertmanager&priority=3",
        send_resolved: true,
        http_config: { authorization: { type: "Bearer", credentials_file: "/etc/alertmanager/secrets/alertmanager-ntfy/token" } },
      },
    ]);
    expect(digest.telegram_configs).toBeUndefined();
    expect(nowhere).toEqual({ name: receivers.nowhere });
    expect(config.inhibit_rules).toEqual([{ source_matchers: ['alertname="FilesystemFull"'], target_matchers: ['alertname="FilesystemAlmostFull"'], equal: ["instance", "mountpoint"] }]);
  });

  it("encodes a topic for the URL and refuses a chat ID that is not one", () => {
    const routing = clusterRouting(5);
    const odd = alertmanagerConfig({ ...routing, ntfy: { ...routing.ntfy, url: "http://ntfy/", topics: { critical: "a b/c", digest: "d&e" } } }) as Rec;
    expect(odd.receivers[0].webhook_configs[0].url).toBe("http://ntfy/a%20b%2Fc?template=alertmanager&priority=5");
    expect(odd.receivers[1].webhook_configs[0].url).toBe("http://ntfy/d%26e?template=alertmanager&priority=3");
    for (const chatId of [0, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => alertmanagerConfig(clusterRouting(chatId))).toThrow(`alertmanagerConfig: telegram.chatId ${chatId}: expected a Telegram chat ID (a non-zero whole number)`);
    }
  });
});

describe("the services' own metrics", () => {
  const byName = (name: string) => catalog.find((e) => e.name === name) as ServiceEntry;
  const monitoringRules = (e: ServiceEntry) =>
    (networkPolicy(e, { domain: "homelab.example", cluster: "prod" }).spec as Rec).ingress.filter((r: Rec) => r.fromEndpoints?.[0]?.matchLabels["k8s:io.kubernetes.pod.namespace"] === "monitoring");

  it("are read where the entry says, on its main Service inside the cluster", () => {
    expect(catalog.filter((e) => e.metrics).map((e) => e.name).sort()).toEqual(["grafana", "n8n", "ntfy"]);
    expect(serviceScrape(byName("n8n"))).toEqual({ service: "n8n", target: "n8n-main.n8n.svc.cluster.local:5678", path: "/metrics" });
    expect(serviceScrape(byName("ntfy"))).toEqual({ service: "ntfy", target: "ntfy.ntfy.svc.cluster.local:9091", path: "/metrics" });
    expect(serviceScrape(byName("vaultwarden"))).toBeUndefined();
  });

  it("become a ScrapeConfig in the entry's namespace, job service-metrics, labelled with the service", () => {
    const manifest = scrapeConfigManifest({ service: "ntfy", target: "ntfy.ntfy.svc.cluster.local:9091", path: "/metrics" });
    expect(manifest).toEqual({
      apiVersion: "monitoring.coreos.com/v1alpha1",
      kind: "ScrapeConfig",
      metadata: { name: "ntfy", namespace: "ntfy", labels: { "homelab.io/service": "ntfy" } },
      spec: { jobName: "service-metrics", scrapeInterval: "60s", metricsPath: "/metrics", staticConfigs: [{ targets: ["ntfy.ntfy.svc.cluster.local:9091"], labels: { service: "ntfy" } }] },
    });
  });

  it("let the monitoring namespace in on the metrics port, and only where there are metrics", () => {
    const ntfyPorts = monitoringRules(byName("ntfy")).flatMap((r: Rec) => r.toPorts[0].ports.map((p: Rec) => p.port));
    expect(ntfyPorts).toContain("9091");
    expect(monitoringRules(byName("vaultwarden")).flatMap((r: Rec) => r.toPorts[0].ports.map((p: Rec) => p.port))).toEqual([String(byName("vaultwarden").health.port)]);
  });

  it("never go through a route: ntfy serves them on a port of their own, which its Service carries and its route does not", () => {
    const ntfy = byName("ntfy");
    expect(ntfy.metrics?.port).not.toBe(ntfy.exposure.kind === "tunnel" ? ntfy.exposure.port : undefined);
    const values = ntfy.values({ url: "https://ntfy.homelab.example" } as never) as Rec;
    expect(values.service.app.ports.metrics).toEqual({ port: 9091 });
    expect(values.controllers.server.containers.app.env).toMatchObject({ NTFY_ENABLE_METRICS: "true", NTFY_METRICS_LISTEN_HTTP: ":9091" });
  });
});

describe("service probes", () => {
  const byName = (name: string) => catalog.find((e) => e.name === name) as ServiceEntry;
  const proberRule = (e: ServiceEntry) =>
    (networkPolicy(e, { domain: "homelab.example", cluster: "prod" }).spec as Rec).ingress.find((r: Rec) => r.fromEndpoints?.[0]?.matchLabels["k8s:io.kubernetes.pod.namespace"] === "monitoring");

  it("ask a public or native app through its public hostname, and an SSO or admin app inside the cluster", () => {
    expect(serviceProbe(byName("navidrome"), "homelab.example")).toEqual({ service: "navidrome", url: `https://music.homelab.example${byName("navidrome").health.path}`, module: "http_2xx" });
    const vaultwarden = byName("vaultwarden");
    expect(serviceProbe(vaultwarden, "homelab.example").url).toBe(`http://vaultwarden.vaultwarden.svc.cluster.local:${vaultwarden.health.port}${vaultwarden.health.path}`);
  });

  it("let the monitoring namespace in on the health port only where the probe goes inside the cluster", () => {
    const vaultwarden = byName("vaultwarden");
    expect(proberRule(vaultwarden)).toEqual({ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "monitoring" } }], toPorts: [{ ports: [{ port: String(vaultwarden.health.port), protocol: "TCP" }] }] });
    expect(proberRule(byName("navidrome"))).toBeUndefined();
    expect(proberRule(byName("adguard"))).toBeDefined();
  });

  it("become a Probe in the entry's namespace, job services, labelled with the service the alerts name", () => {
    const probe = serviceProbe(byName("vaultwarden"), "homelab.example");
    expect(probeManifest(probe)).toEqual({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Probe",
      metadata: { name: "vaultwarden", namespace: "vaultwarden", labels: { "homelab.io/service": "vaultwarden" } },
      spec: {
        jobName: "services",
        interval: "60s",
        module: "http_2xx",
        prober: { url: "blackbox-prometheus-blackbox-exporter.monitoring.svc:9115", scheme: "http", path: "/probe" },
        targets: { staticConfig: { static: [probe.url], labels: { service: "vaultwarden" } } },
      },
    });
  });
});

describe("telemetry", () => {
  const probes = () => ["vaultwarden", "navidrome"].map((n) => serviceProbe(catalog.find((e) => e.name === n) as ServiceEntry, "homelab.example"));

  it("has prod's Alloy tail its pods to Loki and pass on what the others send, to Loki and to Prometheus", () => {
    const text = alloyConfig("prod", { role: "receiver", address: "192.168.71.242" });
    expect(text).toContain('url = "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push"');
    expect(text).toContain('url = "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090/api/v1/write"');
    expect(text).toMatch(/loki\.source\.api "senders" \{\n {2}http \{\n {4}listen_address = "0\.0\.0\.0"\n {4}listen_port {4}= 3100\n {2}\}\n {2}use_incoming_timestamp = true\n {2}forward_to = \[loki\.write\.prod\.receiver\]/);
    expect(text).toMatch(/prometheus\.receive_http "senders" \{\n {2}http \{\n {4}listen_address = "0\.0\.0\.0"\n {4}listen_port {4}= 9090\n {2}\}\n {2}forward_to = \[prometheus\.remote_write\.prod\.receiver\]/);
    expect(text).toContain('target_label = "cluster"\n    replacement  = "prod"');
    expect(text).not.toContain("prometheus.exporter.blackbox");
  });

  it("has the others send logs, metrics and their services' probes to prod's address, labelled with cluster and stack", () => {
    const text = alloyConfig("cloud", { role: "sender", address: "192.168.71.242", stack: "cloud", probes: probes(), scrapes: [] });
    expect(text).toContain('url = "http://192.168.71.242:3100/loki/api/v1/push"');
    expect(text).toContain('url = "http://192.168.71.242:9090/api/v1/metrics/write"');
    expect(text).toContain('external_labels = { "cluster" = "cloud", "stack" = "cloud" }');
    expect(text).toContain('target_label = "cluster"\n    replacement  = "cloud"');
    for (const p of probes()) {
      expect(text).toContain(`  target {\n    name    = "${p.service}"\n    address = "${p.url}"\n    module  = "http_2xx"\n    labels  = { "service" = "${p.service}" }\n  }`);
    }
    expect(text).toContain('target_label = "job"\n    replacement  = "services"');
    expect(text).toContain('  rule {\n    source_labels = ["__param_target"]\n    target_label  = "instance"\n  }');
    expect(text).toContain('discovery.relabel "probes" {\n  targets = prometheus.exporter.blackbox.services.targets\n');
    expect(text).toContain('prometheus.scrape "probes" {\n  targets         = discovery.relabel.probes.output\n');
    expect(text).toContain('scrape_interval = "60s"\n  forward_to      = [prometheus.remote_write.prod.receiver]');
    expect(text).not.toContain("loki.source.api");
    // The embedded exporter gets the same module as prod's blackbox exporter.
    expect(text).toContain(`config = ${riverString("modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n    http:\n      method: GET\n      preferred_ip_protocol: ip4\n      follow_redirects: false\n      valid_status_codes: []\n")}`);
  });

  it("has the others read their services' own metrics at the targets prod's ScrapeConfigs name, as job service-metrics", () => {
    const scrapes = [
      { service: "n8n", target: "n8n-main.n8n.svc.cluster.local:5678", path: "/metrics" },
      { service: "x", target: "x.x.svc.cluster.local:9091", path: "/internal/metrics" },
    ];
    const text = alloyConfig("cloud", { role: "sender", address: "192.168.71.242", stack: "cloud", probes: [], scrapes });
    expect(text).toContain(
      [
        'prometheus.scrape "services" {',
        '  targets         = [{ "__address__" = "n8n-main.n8n.svc.cluster.local:5678", "__metrics_path__" = "/metrics", "service" = "n8n" }, { "__address__" = "x.x.svc.cluster.local:9091", "__metrics_path__" = "/internal/metrics", "service" = "x" }]',
        '  job_name        = "service-metrics"',
        '  scrape_interval = "60s"',
        "  forward_to      = [prometheus.remote_write.prod.receiver]",
        "}",
      ].join("\n"),
    );
    expect(alloyConfig("cloud", { role: "sender", address: "192.168.71.242", stack: "cloud", probes: [], scrapes: [] })).not.toContain('prometheus.scrape "services"');
  });

  it("has the others read their kubelets' container metrics through the API server, keeping memory, CPU and up only", () => {
    const text = alloyConfig("dev", { role: "sender", address: "192.168.71.242", stack: "dev", probes: [], scrapes: [] });
    expect(text).toContain(
      [
        'discovery.kubernetes "nodes" {',
        '  role = "node"',
        "}",
        'discovery.relabel "kubelet" {',
        "  targets = discovery.kubernetes.nodes.targets",
        "  rule {",
        '    target_label = "__address__"',
        '    replacement  = "kubernetes.default.svc:443"',
        "  }",
        "  rule {",
        '    source_labels = ["__meta_kubernetes_node_name"]',
        '    regex         = "(.+)"',
        '    target_label  = "__metrics_path__"',
        '    replacement   = "/api/v1/nodes/$1/proxy/metrics/cadvisor"',
        "  }",
        "  rule {",
        '    source_labels = ["__meta_kubernetes_node_name"]',
        '    target_label  = "node"',
        "  }",
        "}",
        'prometheus.scrape "kubelet" {',
        "  targets           = discovery.relabel.kubelet.output",
        '  job_name          = "kubelet"',
        '  scheme            = "https"',
        '  bearer_token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token"',
        "  tls_config {",
        '    ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"',
        "  }",
        '  scrape_interval   = "60s"',
        "  forward_to        = [prometheus.relabel.kubelet.receiver]",
        "}",
        'prometheus.relabel "kubelet" {',
        "  forward_to = [prometheus.remote_write.prod.receiver]",
        "  rule {",
        '    source_labels = ["__name__"]',
        '    regex         = "up|container_memory_working_set_bytes|container_cpu_usage_seconds_total"',
        '    action        = "keep"',
        "  }",
        "}",
      ].join("\n"),
    );
    expect(alloyConfig("prod", { role: "receiver", address: "192.168.71.242" })).not.toContain("kubelet");
  });

  it("renders exactly the reviewed configurations (test/fixtures/expected/*.alloy; Alloy's parser reads the generated ones in verify)", () => {
    const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "../fixtures/expected", name), "utf8");
    const probes = [
      { service: "glance", url: "https://home.homelab.example/", module: "http_2xx" as const },
      { service: "n8n", url: "http://n8n-main.n8n.svc.cluster.local:5678/healthz", module: "http_2xx" as const },
    ];
    const scrapes = [{ service: "n8n", target: "n8n-main.n8n.svc.cluster.local:5678", path: "/metrics" }];
    expect(alloyConfig("cloud", { role: "sender", address: "192.168.71.242", stack: "cloud", probes, scrapes })).toBe(fixture("cloud-sender.alloy"));
    expect(alloyConfig("prod", { role: "receiver", address: "192.168.71.242" })).toBe(fixture("prod-receiver.alloy"));
  });

  it("gives the whole pod-log pipeline its labels, and refuses a configuration the chart would read as a Helm template", () => {
    const text = alloyConfig("cloud", { role: "sender", address: "192.168.71.242", stack: "cloud", probes: [], scrapes: [] });
    expect(text.startsWith('loki.write "prod" {\n  endpoint {\n    url = "http://192.168.71.242:3100/loki/api/v1/push"\n  }\n}\ndiscovery.kubernetes "pods" {\n  role = "pod"\n}\n')).toBe(true);
    for (const [source, target] of [
      ["__meta_kubernetes_namespace", "namespace"],
      ["__meta_kubernetes_pod_name", "pod"],
      ["__meta_kubernetes_pod_container_name", "container"],
      ["__meta_kubernetes_pod_label_app_kubernetes_io_name", "app"],
    ]) {
      expect(text).toContain(`  rule {\n    source_labels = ["${source}"]\n    target_label  = "${target}"\n  }`);
    }
    expect(text).toContain('loki.source.kubernetes "pods" {\n  targets    = discovery.relabel.pods.output\n  forward_to = [loki.write.prod.receiver]\n}');
    expect(text.endsWith("\n")).toBe(true);
    const templated = serviceProbe(catalog.find((e) => e.name === "glance") as ServiceEntry, "homelab.example");
    expect(() => alloyConfig("cloud", { role: "sender", address: "192.168.71.242", stack: "cloud", probes: [{ ...templated, url: "https://x/{{ .Values }}" }], scrapes: [] })).toThrow(
      'alloyConfig on cloud: the configuration holds "{{", which the Alloy chart would read as a Helm template',
    );
  });

  it("leaves the probe blocks out where a cluster runs no service, and refuses a cluster name that is not a DNS label", () => {
    expect(alloyConfig("dev", { role: "sender", address: "192.168.71.242", stack: "dev", probes: [], scrapes: [] })).not.toContain("blackbox");
    expect(() => alloyConfig('dev" { }', { role: "receiver", address: "192.168.71.242" })).toThrow(/cluster "dev\\" \{ \}": expected a DNS label/);
  });

  it("quotes every string the River way, whatever it holds", () => {
    expect(riverString('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
  });

  it("puts prod's telemetry address on a LoadBalancer Service of the LAN pool in front of Alloy", () => {
    expect(telemetryService("192.168.71.242")).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "telemetry", namespace: "monitoring", labels: { "homelab.io/lan-load-balancer": "true" }, annotations: { "lbipam.cilium.io/ips": "192.168.71.242" } },
      spec: {
        type: "LoadBalancer",
        selector: { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy" },
        ports: [
          { name: "logs", port: 3100, targetPort: 3100, protocol: "TCP" },
          { name: "metrics", port: 9090, targetPort: 9090, protocol: "TCP" },
        ],
      },
    });
  });
});

describe("dashboards", () => {
  const texts = () => Object.fromEntries(allDashboards(catalog).map((d) => [d.uid, JSON.stringify(dashboardJson(d))]));

  it("cover the host and ZFS, nodes, Cilium and Hubble, Argo CD, Longhorn, Omni, and each group of services", () => {
    expect(platformDashboards.map((d) => d.uid)).toEqual(["homelab-host", "homelab-nodes", "homelab-cilium", "homelab-argocd", "homelab-longhorn", "homelab-omni"]);
    const groups = [...new Set(catalog.map((e) => e.dashboard.group))].sort();
    expect(serviceDashboards(catalog).map((d) => d.title)).toEqual(groups.map((g) => `Services: ${g}`));
    const media = serviceDashboards(catalog).find((d) => d.title === "Services: Media") as { panels: { queries: { expr: string }[] }[] };
    const names = catalog.filter((e) => e.dashboard.group === "Media").map((e) => e.name);
    expect(media.panels[0].queries[0].expr).toBe(`probe_success{job="services",service=~"${names.join("|")}"}`);
  });

  it("are Grafana JSON with unique UIDs, every panel on a provisioned datasource", () => {
    expect(dashboardProblems(texts(), datasources)).toEqual([]);
    const host = dashboardJson(platformDashboards[0]) as Rec;
    expect(host).toMatchObject({ uid: "homelab-host", title: "Proxmox host and ZFS", editable: false, tags: ["homelab", "host"] });
    expect(host.panels[0]).toMatchObject({ id: 1, datasource: { type: "prometheus", uid: "prometheus" }, gridPos: { x: 0, y: 0, w: 12, h: 8 }, targets: [{ refId: "A", datasource: { uid: "prometheus" } }] });
    expect(host.panels[1].gridPos).toEqual({ x: 12, y: 0, w: 12, h: 8 });
    expect(host.panels[2].gridPos).toEqual({ x: 0, y: 8, w: 12, h: 8 });
    expect(promqlQueries(allDashboards(catalog)).length).toBeGreaterThan(30);
  });

  it("render a spec as Grafana's model: every field, panel and target", () => {
    const spec = {
      uid: "u",
      title: "T",
      tags: ["x"],
      panels: [
        { title: "A", type: "timeseries" as const, datasource: "prometheus" as const, queries: [{ expr: "up", legend: "{{job}}" }, { expr: "down" }], unit: "bytes", description: "why" },
        { title: "B", type: "logs" as const, datasource: "loki" as const, queries: [{ expr: '{app="x"}' }] },
        { title: "C", type: "stat" as const, datasource: "prometheus" as const, queries: [{ expr: "1" }] },
      ],
    };
    expect(dashboardJson(spec)).toEqual({
      uid: "u",
      title: "T",
      tags: ["homelab", "x"],
      timezone: "browser",
      editable: false,
      schemaVersion: 39,
      time: { from: "now-24h", to: "now" },
      refresh: "1m",
      templating: { list: [] },
      panels: [
        {
          id: 1,
          type: "timeseries",
          title: "A",
          description: "why",
          datasource: { type: "prometheus", uid: "prometheus" },
          gridPos: { x: 0, y: 0, w: 12, h: 8 },
          fieldConfig: { defaults: { unit: "bytes" }, overrides: [] },
          options: {},
          targets: [
            { refId: "A", datasource: { type: "prometheus", uid: "prometheus" }, expr: "up", legendFormat: "{{job}}" },
            { refId: "B", datasource: { type: "prometheus", uid: "prometheus" }, expr: "down" },
          ],
        },
        { id: 2, type: "logs", title: "B", datasource: { type: "loki", uid: "loki" }, gridPos: { x: 12, y: 0, w: 12, h: 8 }, fieldConfig: { defaults: {}, overrides: [] }, options: {}, targets: [{ refId: "A", datasource: { type: "loki", uid: "loki" }, expr: '{app="x"}' }] },
        { id: 3, type: "stat", title: "C", datasource: { type: "prometheus", uid: "prometheus" }, gridPos: { x: 0, y: 8, w: 12, h: 8 }, fieldConfig: { defaults: {}, overrides: [] }, options: {}, targets: [{ refId: "A", datasource: { type: "prometheus", uid: "prometheus" }, expr: "1" }] },
      ],
    });
    expect(promqlQueries([spec])).toEqual([
      { dashboard: "u", panel: "A", expr: "up" },
      { dashboard: "u", panel: "A", expr: "down" },
      { dashboard: "u", panel: "C", expr: "1" },
    ]);
    // Read from Grafana's JSON as verify reads the files: panels without targets, targets without a datasource and Loki's are left out.
    const text = JSON.stringify({ panels: [{ title: "none" }, { title: "bare", targets: [{ expr: "x" }] }, { title: "logs", targets: [{ datasource: { uid: "loki" }, expr: "{a}" }] }, { title: "p", targets: [{ datasource: { uid: "prometheus" }, expr: "up" }] }] });
    expect(promqlOfJson({ "f.json": text, "empty.json": "{}" })).toEqual([{ dashboard: "f.json", panel: "p", expr: "up" }]);
  });

  it("give each group of services its probes, answer times, availability, memory and errors", () => {
    const entries = catalog.filter((e) => e.dashboard.group === "Home");
    const names = entries.map((e) => e.name).join("|");
    const home = serviceDashboards(catalog).find((d) => d.uid === "homelab-services-home");
    expect(home).toEqual({
      uid: "homelab-services-home",
      title: "Services: Home",
      tags: ["services"],
      panels: [
        { title: "Answering (1 = up)", type: "timeseries", datasource: "prometheus", queries: [{ expr: `probe_success{job="services",service=~"${names}"}`, legend: "{{service}} ({{cluster}})" }], unit: undefined, description: undefined },
        { title: "Answer time", type: "timeseries", datasource: "prometheus", queries: [{ expr: `probe_duration_seconds{job="services",service=~"${names}"}`, legend: "{{service}}" }], unit: "s", description: undefined },
        { title: "Availability, last 30 days", type: "stat", datasource: "prometheus", queries: [{ expr: `avg_over_time(probe_success{job="services",service=~"${names}"}[30d])` }], unit: "percentunit" },
        { title: "Memory by service", type: "timeseries", datasource: "prometheus", queries: [{ expr: `sum by (namespace) (container_memory_working_set_bytes{namespace=~"${names}",container!=""})`, legend: "{{namespace}}" }], unit: "bytes", description: undefined },
        { title: "Errors", type: "logs", datasource: "loki", queries: [{ expr: `{namespace=~"${names}"} |~ "(?i)error"` }] },
      ],
    });
    const odd = [{ ...catalog[0], dashboard: { ...catalog[0].dashboard, group: "Home & Garden!" } }];
    expect(serviceDashboards(odd).map((d) => d.uid)).toEqual(["homelab-services-home-garden-"]);
  });

  it("refuse text that is not JSON, a UID twice, a panel without a query or on an unknown datasource, a panel ID twice", () => {
    const one = texts()["homelab-host"];
    const d = JSON.parse(one);
    const panel = d.panels[0];
    expect(dashboardProblems({ a: "{not json" }, datasources)[0]).toMatch(/^a: not JSON/);
    expect(dashboardProblems({ a: one, b: one }, datasources)).toEqual(["b: uid homelab-host is also a's"]);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, uid: "" }) }, datasources)).toEqual(["a: no uid"]);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, uid: 7 }) }, datasources)).toEqual(["a: no uid"]);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: "x" }) }, datasources)).toEqual(["a: no panels"]);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: [{ ...panel, targets: "x" }] }) }, datasources)).toEqual(['a: panel "CPU busy" has no query']);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: [{ ...panel, datasource: undefined }] }) }, datasources)).toEqual(['a: panel "CPU busy" reads datasource undefined, which is not provisioned (prometheus, loki, alertmanager)']);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: [] }) }, datasources)).toEqual(["a: no panels"]);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: [{ ...panel, targets: [] }] }) }, datasources)).toEqual(['a: panel "CPU busy" has no query']);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: [panel, panel] }) }, datasources)).toEqual(["a: panel id 1 used twice"]);
    expect(dashboardProblems({ a: JSON.stringify({ ...d, panels: [{ ...panel, targets: [{ ...panel.targets[0], datasource: { uid: "thanos" } }] }] }) }, datasources)).toEqual([
      'a: panel "CPU busy" reads datasource "thanos", which is not provisioned (prometheus, loki, alertmanager)',
    ]);
    expect(dashboardProblems({ a: one }, datasources.filter((s) => s.uid !== "prometheus")).length).toBe(platformDashboards[0].panels.reduce((n, p) => n + 1 + p.queries.length, 0));
  });
});

describe("the platform's metrics", () => {
  it("are read from Argo CD on the hub, Longhorn where it is the storage, Cilium, Hubble and cert-manager everywhere", () => {
    const names = (c: { argocd: boolean; longhorn: boolean }) => platformServiceMonitors(c).map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
    expect(names({ argocd: true, longhorn: true })).toEqual(["argocd/argocd-application-controller", "longhorn-system/longhorn-manager", "kube-system/cilium-agent", "kube-system/hubble", "cert-manager/cert-manager"]);
    expect(names({ argocd: false, longhorn: false })).toEqual(["kube-system/cilium-agent", "kube-system/hubble", "cert-manager/cert-manager"]);
    for (const m of platformServiceMonitors({ argocd: true, longhorn: true })) expect([m.apiVersion, m.kind]).toEqual(["monitoring.coreos.com/v1", "ServiceMonitor"]);
    const [argocd] = platformServiceMonitors({ argocd: true, longhorn: false });
    expect(argocd.spec).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/name": "argo-cd-metrics", "app.kubernetes.io/instance": "argocd", "app.kubernetes.io/component": "application-controller" } },
      namespaceSelector: { matchNames: ["argocd"] },
      endpoints: [{ port: "http-metrics", path: "/metrics", interval: "60s" }],
    });
  });
});

describe("ntfy's users", () => {
  const salt = (n: number) => new Uint8Array(16).fill(n);
  const input = () => ({ adminHash: bcryptHash("admin-password", salt(1)), publisherHash: bcryptHash("publisher-password", salt(2)), publisherToken: `tk_${"a1".repeat(14)}b` });

  it("are bcrypt hashes ntfy can check, the same for the same password and salt, different for another salt", () => {
    const hash = bcryptHash("admin-password", salt(1));
    expect(hash).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(compareSync("admin-password", hash)).toBe(true);
    expect(compareSync("admin-passwore", hash)).toBe(false);
    expect(bcryptHash("admin-password", salt(1))).toBe(hash);
    expect(bcryptHash("admin-password", salt(3))).not.toBe(hash);
    expect(() => bcryptSalt(new Uint8Array(15))).toThrow("bcryptSalt: expected 16 bytes, got 15");
  });

  it("give ntfy an admin, and Alertmanager's publisher write-only access to the homelab topics with its token", () => {
    const i = input();
    expect(ntfyAuthEnv(i)).toEqual({
      NTFY_AUTH_USERS: `admin:${i.adminHash}:admin,alertmanager:${i.publisherHash}:user`,
      NTFY_AUTH_ACCESS: "alertmanager:homelab-critical:wo,alertmanager:homelab-digest:wo,alertmanager:homelab-gaming:wo",
      NTFY_AUTH_TOKENS: `alertmanager:${i.publisherToken}:Alertmanager`,
    });
  });

  it("refuse a password in place of a hash and a token of the wrong form", () => {
    expect(() => ntfyAuthEnv({ ...input(), adminHash: "hunter2" })).toThrow("ntfyAuthEnv: adminHash: expected a bcrypt hash");
    expect(() => ntfyAuthEnv({ ...input(), publisherHash: `${input().publisherHash},x` })).toThrow("ntfyAuthEnv: publisherHash: expected a bcrypt hash");
    expect(() => ntfyAuthEnv({ ...input(), publisherHash: `x,admin:${input().publisherHash}` })).toThrow("ntfyAuthEnv: publisherHash: expected a bcrypt hash");
    for (const token of ["tk_short", `tk_${"A".repeat(29)}`, `xx_${"a".repeat(29)}`, `tk_${"a".repeat(29)},admin:x`]) {
      expect(() => ntfyAuthEnv({ ...input(), publisherToken: token })).toThrow("publisherToken: expected tk_ and 29 lowercase letters and digits");
    }
  });

  it("reach ntfy through a Secret of exactly the keys its entry asks for", () => {
    const ntfy = catalog.find((e) => e.name === "ntfy") as ServiceEntry;
    const env = ntfyAuthEnv(input());
    expect(generatedSecret(ntfy, env)).toMatchObject({ kind: "Secret", metadata: { name: "ntfy-generated", namespace: "ntfy" }, stringData: env });
    const missing: Record<string, string> = { ...env };
    delete missing.NTFY_AUTH_TOKENS;
    expect(() => generatedSecret(ntfy, missing)).toThrow("service ntfy: generated values NTFY_AUTH_USERS, NTFY_AUTH_ACCESS; expected exactly NTFY_AUTH_USERS, NTFY_AUTH_ACCESS, NTFY_AUTH_TOKENS");
    expect(() => generatedSecret(ntfy, { ...env, EXTRA: "x" })).toThrow(/expected exactly/);
    const ingress = (networkPolicy(ntfy, { domain: "homelab.example", cluster: "prod" }).spec as Rec).ingress;
    expect(ingress).toContainEqual({ fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "monitoring" } }], toPorts: [{ ports: [{ port: "2586", protocol: "TCP" }] }] });
  });
});

describe("the tools the checks build", () => {
  const required = (dir: string, module: string) => new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, "\\$&")} (v\\S+)`, "m").exec(fs.readFileSync(path.join(__dirname, "..", "..", "tools", dir, "go.mod"), "utf8"))?.[1];

  it("are the releases the clusters run (Prometheus' module v0.3xx.y is release 3.xx.y)", () => {
    expect(required("prometheus", "github.com/prometheus/prometheus")).toBe(`v0.3${monitoringReleases.prometheus.split(".")[1].padStart(2, "0")}.${monitoringReleases.prometheus.split(".")[2]}`);
    expect(required("alertmanager", "github.com/prometheus/alertmanager")).toBe(`v${monitoringReleases.alertmanager}`);
    expect(required("oauth2-proxy", "github.com/oauth2-proxy/oauth2-proxy/v7")).toBe(serviceImages.oauth2Proxy.tag);
  });
});
