// The platform each stack gives its cluster, as recorded on mocks: charts,
// pinned versions and the values that matter, per add-on.
import { parse } from "yaml";
import { charts, gatewayApi, gitCharts } from "../../config/versions";
import { ProgramRun, RecordedResource } from "../../plan/mockRuntime";
import { ofType, runStack } from "../helpers";
import { entriesFor } from "../../services";
import { lokiRulesConfigMap, lokiRulesDirectory, lokiRulesDocument, lokiRulesFile, lokiTenant } from "../../components/monitoring/logRules";
import { prometheusWriteUrl } from "../../components/monitoring/telemetry";

type Rec = RecordedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const RELEASE = "kubernetes:helm.sh/v3:Release";
const APP = "kubernetes:argoproj.io/v1alpha1:Application";

const runs: Partial<Record<"dev" | "prod" | "cloud", ProgramRun>> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod", "cloud"] as const) runs[stack] = await runStack(stack);
});

const release = (run: ProgramRun, name: string) => ofType(run, RELEASE).find((r) => r.inputs.name === name) as Rec;
const named = (run: ProgramRun, type: string, name: string) => run.resources.find((r) => r.type === type && (r.inputs as Rec["inputs"]).metadata?.name === name) as Rec;
const app = (run: ProgramRun, name: string) => ofType(run, APP).find((r) => (r.inputs as Rec["inputs"]).metadata.name === name) as Rec;
const dependsOn = (r: RecordedResource, other: RecordedResource) => r.dependencies.includes(other.urn);

describe.each(["dev", "prod", "cloud"] as const)("platform of %s", (stack) => {
  const run = () => runs[stack] as ProgramRun;

  it("installs Cilium from its pinned chart as the CNI that replaces kube-proxy", () => {
    const cilium = release(run(), "cilium");
    expect(cilium.inputs).toMatchObject({ chart: "cilium", version: charts.cilium.version, repositoryOpts: { repo: charts.cilium.repo }, namespace: "kube-system" });
    expect(cilium.inputs.values).toMatchObject({
      kubeProxyReplacement: true,
      k8sServiceHost: "localhost",
      k8sServicePort: 7445,
      encryption: { enabled: true, type: "wireguard" },
      gatewayAPI: { enabled: true },
      policyEnforcementMode: "default",
      hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true, service: { type: "ClusterIP" } } },
    });
    expect(cilium.inputs.values.hubble.metrics.enabled).toEqual(expect.arrayContaining(["dns", "drop", "flow"]));
  });

  it("installs the Gateway API CRDs before Cilium, and a tunnel Gateway after it", () => {
    const crds = ofType(run(), "kubernetes:yaml/v2:ConfigFile");
    expect(crds.map((c) => [c.name, (c.inputs as Rec["inputs"]).file])).toEqual([
      ["platform-gateway-api-standard", gatewayApi.crdFiles.standard],
      ["platform-gateway-api-tlsroutes", gatewayApi.crdFiles.tlsroutes],
    ]);
    const cilium = release(run(), "cilium");
    for (const crd of crds) expect(dependsOn(cilium, crd)).toBe(true);
    const gateway = named(run(), "kubernetes:gateway.networking.k8s.io/v1:Gateway", "tunnel");
    expect(gateway.inputs.spec).toMatchObject({ gatewayClassName: "cilium", listeners: [{ protocol: "HTTP", port: 80 }] });
  });

  it("issues certificates from Let's Encrypt (staging and prod) through Cloudflare DNS01, with the token from External Secrets", () => {
    expect(release(run(), "cert-manager").inputs).toMatchObject({ version: charts.certManager.version, values: { crds: { enabled: true } } });
    const token = named(run(), "kubernetes:external-secrets.io/v1:ExternalSecret", "cloudflare-api-token");
    expect(token.inputs).toMatchObject({ metadata: { namespace: "cert-manager" }, spec: { secretStoreRef: { kind: "ClusterSecretStore", name: "bitwarden" }, data: [{ secretKey: "api-token", remoteRef: { key: "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" } }] } });
    for (const name of ["letsencrypt-staging", "letsencrypt-prod"]) {
      const issuer = named(run(), "kubernetes:cert-manager.io/v1:ClusterIssuer", name);
      expect(issuer.inputs.spec.acme.solvers).toEqual([{ selector: { dnsZones: ["homelab.example"] }, dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-api-token", key: "api-token" } } } }]);
      expect(dependsOn(issuer, token)).toBe(true);
    }
    expect(named(run(), "kubernetes:cert-manager.io/v1:ClusterIssuer", "letsencrypt-staging").inputs.spec.acme.server).toContain("acme-staging-v02");
  });

  it("reads secrets from Bitwarden through the SDK server over TLS; the machine token is the only secret Pulumi places", () => {
    const eso = release(run(), "external-secrets");
    expect(eso.inputs).toMatchObject({ version: charts.externalSecrets.version, values: { installCRDs: true, "bitwarden-sdk-server": { enabled: true } } });
    const store = named(run(), "kubernetes:external-secrets.io/v1:ClusterSecretStore", "bitwarden");
    expect(store.inputs.spec.provider.bitwardensecretsmanager).toMatchObject({
      bitwardenServerSDKURL: "https://bitwarden-sdk-server.external-secrets.svc.cluster.local:9998",
      caProvider: { type: "Secret", name: "bitwarden-tls-certs", namespace: "external-secrets", key: "ca.crt" },
      auth: { secretRef: { credentials: { name: "bitwarden-access-token", namespace: "external-secrets", key: "token" } } },
    });
    const tls = named(run(), "kubernetes:cert-manager.io/v1:Certificate", "bitwarden-tls-certs");
    expect(dependsOn(eso, tls)).toBe(true);
    const secrets = ofType(run(), "kubernetes:core/v1:Secret").map((s) => s.inputs as Rec["inputs"]);
    const token = secrets.find((s) => s.metadata.name === "bitwarden-access-token");
    expect(token?.stringData).toBe("[secret]");
    expect(JSON.stringify(run().resources)).not.toContain("fake-bitwardenMachineToken");
  });

  it("delivers storage as wave-1 Argo CD Applications with the nfs-media class on the media share", () => {
    const nfs = app(run(), `${stack}-csi-driver-nfs`);
    expect(nfs.inputs.metadata.annotations).toMatchObject({ "argocd.argoproj.io/sync-wave": "1", "pulumi.com/waitFor": "jsonpath={.status.health.status}=Healthy" });
    expect(nfs.inputs.spec.source).toMatchObject({ repoURL: charts.csiDriverNfs.repo, chart: "csi-driver-nfs", targetRevision: charts.csiDriverNfs.version });
    const sc = nfs.inputs.spec.source.helm.valuesObject.storageClass;
    expect(sc).toMatchObject({ create: true, name: "nfs-media", reclaimPolicy: "Retain", parameters: { share: "/tank/media", subDir: "${pvc.metadata.name}", onDelete: "retain" } });
    // The cloud nodes reach the same home server through Twingate.
    expect(sc.parameters.server).toBe("192.168.68.51");
    expect(nfs.inputs.spec.destination).toEqual({ name: stack, namespace: "kube-system" });
    expect(nfs.inputs.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  it("runs Prometheus and Alertmanager on prod only, scraping the Proxmox host's exporters, with Telegram's token from Bitwarden and ntfy's generated", () => {
    const names = ofType(run(), "kubernetes:argoproj.io/v1alpha1:Application").map((a) => (a.inputs as Rec["inputs"]).metadata.name);
    expect(names.includes(`${stack}-kube-prometheus-stack`)).toBe(stack === "prod");
    if (stack !== "prod") return;
    const values = app(run(), "prod-kube-prometheus-stack").inputs.spec.source.helm.valuesObject;
    expect(values.prometheus.prometheusSpec.additionalScrapeConfigs).toEqual([{ job_name: "proxmox-host", static_configs: [{ targets: ["192.168.68.51:9100"] }] }]);
    expect(values.alertmanager.config.receivers[0].telegram_configs[0].chat_id).toBe(123456789);
    const secret = ofType(run(), "kubernetes:external-secrets.io/v1:ExternalSecret").find((r) => (r.inputs as Rec["inputs"]).metadata.name === "alertmanager-notify")?.inputs as Rec["inputs"];
    expect(secret.metadata.namespace).toBe("monitoring");
    expect(secret.spec.data.map((d: Rec["inputs"]) => [d.secretKey, d.remoteRef.key])).toEqual([["telegram-bot-token", "telegram-bot-token"]]);
    // ntfy's publisher token is the stack's own (NtfyCredentials), a Secret beside it.
    const ntfy = named(run(), "kubernetes:core/v1:Secret", "alertmanager-ntfy");
    expect(ntfy.inputs.metadata.namespace).toBe("monitoring");
    // The whole value is a secret: the plan shows [secret], never the token.
    expect(ntfy.inputs.stringData).toBe("[secret]");
    expect(JSON.stringify(ofType(run(), "kubernetes:core/v1:Secret").map((r) => r.inputs))).not.toMatch(/tk_[a-z0-9]{29}/);
  });

  it("gives ntfy (prod) its generated users before its Application, and the admin's password as a secret output only", () => {
    const secret = named(run(), "kubernetes:core/v1:Secret", "ntfy-generated");
    if (stack !== "prod") return expect(secret).toBeUndefined();
    expect(secret.inputs.metadata.namespace).toBe("ntfy");
    expect(secret.inputs.stringData).toBe("[secret]");
    const application = app(run(), "prod-ntfy");
    expect(dependsOn(application, secret)).toBe(true);
    expect(run().outputs.ntfyAdminPassword).toBe("[secret]");
  });

  it("probes every service of prod with a Probe object through the blackbox exporter; the other clusters have none", () => {
    const probes = ofType(run(), "kubernetes:monitoring.coreos.com/v1:Probe").map((r) => r.inputs as Rec["inputs"]);
    const services = ofType(run(), "homelab:index:ServiceApp").length;
    const blackbox = ofType(run(), APP).some((a) => (a.inputs as Rec["inputs"]).metadata.name === `${stack}-blackbox-exporter`);
    expect(blackbox).toBe(stack === "prod");
    if (stack !== "prod") return expect(probes).toEqual([]);
    expect(services).toBe(entriesFor("prod").length);
    expect(probes.map((p) => p.metadata.name).sort()).toEqual(entriesFor("prod").map((e) => e.name).sort());
    for (const p of probes) {
      expect(p.metadata.namespace).toBe(p.metadata.name);
      expect(p.spec).toMatchObject({ jobName: "services", module: "http_2xx", prober: { url: "blackbox-prometheus-blackbox-exporter.monitoring.svc:9115" } });
      expect(p.spec.targets.staticConfig.labels).toEqual({ service: p.metadata.name });
    }
  });

  it("reads the services' own metrics: ScrapeConfigs on prod, Alloy's scrape elsewhere, the same targets", () => {
    const scrapes = ofType(run(), "kubernetes:monitoring.coreos.com/v1alpha1:ScrapeConfig").map((r) => (r.inputs as Rec["inputs"]).metadata.name).sort();
    const withMetrics = entriesFor(stack).filter((e) => e.metrics).map((e) => e.name).sort();
    const config: string = app(run(), `${stack}-alloy`).inputs.spec.source.helm.valuesObject.alloy.configMap.content;
    const inAlloy = [...config.matchAll(/"__metrics_path__" = "[^"]+", "service" = "([a-z0-9-]+)" \}/g)].map((m) => m[1]).sort();
    expect(scrapes).toEqual(stack === "prod" ? withMetrics : []);
    expect(inAlloy).toEqual(stack === "prod" ? [] : withMetrics);
    if (stack === "cloud") expect(withMetrics).toEqual(["n8n"]);
  });

  it("runs Alloy on every cluster, Loki and the telemetry address on prod only; the others send to prod and probe their own services", () => {
    const names = ofType(run(), APP).map((a) => (a.inputs as Rec["inputs"]).metadata.name);
    expect(names).toContain(`${stack}-alloy`);
    expect(names.includes(`${stack}-loki`)).toBe(stack === "prod");
    const ns = named(run(), "kubernetes:core/v1:Namespace", "monitoring");
    expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(stack === "prod" ? "privileged" : "restricted");
    const telemetry = named(run(), "kubernetes:core/v1:Service", "telemetry");
    expect(telemetry?.inputs.metadata.annotations).toEqual(stack === "prod" ? { "lbipam.cilium.io/ips": "192.168.71.242" } : undefined);
    const config: string = app(run(), `${stack}-alloy`).inputs.spec.source.helm.valuesObject.alloy.configMap.content;
    expect(config.includes("http://192.168.71.242:3100/loki/api/v1/push")).toBe(stack !== "prod");
    const probed = [...config.matchAll(/name {4}= "([a-z0-9-]+)"/g)].map((m) => m[1]).sort();
    expect(probed).toEqual(stack === "prod" ? [] : entriesFor(stack).map((e) => e.name).sort());
  });

  it("gives prod's Loki its ruler: the rules' ConfigMap mounted where local storage reads the single tenant's, samples written to Prometheus", () => {
    const rules = named(run(), "kubernetes:core/v1:ConfigMap", lokiRulesConfigMap);
    if (stack !== "prod") return expect(rules).toBeUndefined();
    expect(parse(rules.inputs.data[lokiRulesFile])).toEqual(lokiRulesDocument());
    const values = app(run(), "prod-loki").inputs.spec.source.helm.valuesObject;
    expect(values.loki.auth_enabled).toBe(false);
    expect(lokiTenant).toBe("fake");
    expect(values.loki.rulerConfig).toMatchObject({
      storage: { type: "local", local: { directory: lokiRulesDirectory } },
      remote_write: { enabled: true, clients: { prometheus: { url: prometheusWriteUrl } } },
    });
    expect(values.singleBinary.extraVolumes).toEqual([{ name: "rules", configMap: { name: lokiRulesConfigMap } }]);
    expect(values.singleBinary.extraVolumeMounts).toEqual([{ name: "rules", mountPath: `${lokiRulesDirectory}/${lokiTenant}`, readOnly: true }]);
  });

  it("reads the platform's own metrics on prod once the monitoring chart is in: Argo CD's controller, Longhorn, Cilium, Hubble, cert-manager", () => {
    const monitors = ofType(run(), "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
    expect(monitors.map((m) => (m.inputs as Rec["inputs"]).metadata.name).sort()).toEqual(stack === "prod" ? ["argocd-application-controller", "cert-manager", "cilium-agent", "hubble", "longhorn-manager"] : []);
    const kps = ofType(run(), APP).find((a) => (a.inputs as Rec["inputs"]).metadata.name === "prod-kube-prometheus-stack");
    for (const m of monitors) expect(kps && dependsOn(m, kps)).toBe(true);
    expect(release(run(), "cilium").inputs.values.prometheus).toEqual({ enabled: true, metricsService: true });
    if (stack === "prod") expect(release(run(), "argocd").inputs.values.controller.metrics).toEqual({ enabled: true });
  });

  it("runs Twingate's connectors at home (prod), its client on the cloud nodes, and nothing on dev", () => {
    const named = (type: string) => ofType(run(), type).map((r) => `${(r.inputs as Rec["inputs"]).metadata.namespace}/${(r.inputs as Rec["inputs"]).metadata.name}`);
    const twingate = [...named("kubernetes:apps/v1:Deployment"), ...named("kubernetes:apps/v1:DaemonSet")].filter((n) => n.startsWith("twingate"));
    expect(twingate.sort()).toEqual({ prod: ["twingate/connector-home-a", "twingate/connector-home-b"], cloud: ["twingate-client/twingate-client"], dev: [] }[stack]);
  });

  it("registers the cluster in the hub's Argo CD with its own AppProjects", () => {
    const secret = ofType(run(), "kubernetes:core/v1:Secret").find((s) => (s.inputs as Rec["inputs"]).metadata.name === `cluster-${stack}`) as Rec;
    expect(secret.inputs.metadata).toMatchObject({ namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "cluster" } });
    expect(secret.inputs.stringData).toBe("[secret]");
    const projects = ofType(run(), "kubernetes:argoproj.io/v1alpha1:AppProject").map((p) => (p.inputs as Rec["inputs"]).metadata.name);
    expect(projects.sort()).toEqual([`${stack}-platform`, `${stack}-services`]);
  });
});

describe("differences between the clusters", () => {
  it("gives only prod a LAN load-balancer pool, announced over L2 for the listed Services only", () => {
    const prod = runs.prod as ProgramRun;
    const pool = named(prod, "kubernetes:cilium.io/v2:CiliumLoadBalancerIPPool", "lan");
    expect(pool.inputs.spec).toEqual({ blocks: [{ cidr: "192.168.71.240/28" }], serviceSelector: { matchLabels: { "homelab.io/lan-load-balancer": "true" } } });
    const l2 = named(prod, "kubernetes:cilium.io/v2alpha1:CiliumL2AnnouncementPolicy", "lan");
    expect(l2.inputs.spec).toMatchObject({ loadBalancerIPs: true, interfaces: ["^ens[0-9]+$", "^eth[0-9]+$"] });
    expect(release(prod, "cilium").inputs.values.l2announcements).toEqual({ enabled: true });
    for (const stack of ["dev", "cloud"] as const) {
      expect(ofType(runs[stack] as ProgramRun, "kubernetes:cilium.io/v2:CiliumLoadBalancerIPPool")).toHaveLength(0);
      expect(release(runs[stack] as ProgramRun, "cilium").inputs.values.l2announcements).toEqual({ enabled: false });
    }
  });

  it("runs Argo CD on prod only: admin group may change anything, nobody else has a role, OIDC ready for Authentik", () => {
    const argo = release(runs.prod as ProgramRun, "argocd");
    expect(argo.inputs).toMatchObject({ chart: "argo-cd", version: charts.argoCd.version, namespace: "argocd" });
    const v = argo.inputs.values;
    expect(v.configs.rbac).toEqual({ "policy.default": "", "policy.csv": "g, admin, role:admin\n", scopes: "[groups]" });
    expect(parse(v.configs.cm["oidc.config"])).toEqual({
      name: "Authentik",
      issuer: "https://auth.homelab.example/application/o/argocd/",
      clientID: "argocd",
      clientSecret: "$argocd-oidc:clientSecret",
      requestedScopes: ["openid", "profile", "email", "groups"],
    });
    expect(v.server.service.type).toBe("ClusterIP");
    expect(v.dex.enabled).toBe(false);
    expect(release(runs.dev as ProgramRun, "argocd")).toBeUndefined();
    expect(release(runs.cloud as ProgramRun, "argocd")).toBeUndefined();
  });

  it("registers dev and cloud from Omni service-account kubeconfigs; prod registers itself in-cluster", () => {
    const kubeconfigCommands = (stack: "dev" | "cloud") =>
      ofType(runs[stack] as ProgramRun, "command:local:Command")
        .map((c) => String((c.inputs as Rec["inputs"]).create))
        .filter((c) => c.includes("omnictl kubeconfig"));
    for (const stack of ["dev", "cloud"] as const) {
      const cmds = kubeconfigCommands(stack);
      expect(cmds.some((c) => c.includes("--cluster 'prod' ") && c.includes("--service-account"))).toBe(true);
      expect(cmds.some((c) => c.includes(`--cluster '${stack}' `) && c.includes("--user 'argocd' "))).toBe(true);
    }
  });

  it("uses Longhorn as prod's default class with one replica (one worker), its namespace privileged and given container defaults first", () => {
    const prod = runs.prod as ProgramRun;
    const longhorn = app(prod, "prod-longhorn");
    expect(longhorn.inputs.spec.source).toMatchObject({ repoURL: charts.longhorn.repo, chart: "longhorn", targetRevision: charts.longhorn.version });
    expect(longhorn.inputs.spec.source.helm.valuesObject).toMatchObject({
      persistence: { defaultClass: true, defaultClassReplicaCount: 1 },
      defaultSettings: { defaultReplicaCount: 1 },
      ingress: { enabled: false },
      service: { ui: { type: "ClusterIP" } },
    });
    const ns = named(prod, "kubernetes:core/v1:Namespace", "longhorn-system");
    expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    const limits = named(prod, "kubernetes:core/v1:LimitRange", "container-defaults");
    expect(limits.inputs.spec.limits[0]).toMatchObject({ type: "Container", defaultRequest: { cpu: "10m", memory: "64Mi" } });
    expect(longhorn.dependencies).toEqual(expect.arrayContaining([limits.urn]));
    expect(app(prod, "prod-local-path")).toBeUndefined();
  });

  it("uses local-path, from its git-tagged chart, as the default class on dev and cloud", () => {
    for (const stack of ["dev", "cloud"] as const) {
      const lp = app(runs[stack] as ProgramRun, `${stack}-local-path`);
      expect(lp.inputs.spec.source).toMatchObject({ repoURL: gitCharts.localPath.repo, path: gitCharts.localPath.path, targetRevision: gitCharts.localPath.version });
      expect(lp.inputs.spec.source.helm.valuesObject.storageClass).toMatchObject({ name: "local-path", defaultClass: true });
      expect(lp.inputs.spec.syncPolicy.managedNamespaceMetadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    }
  });

  it("asks Talos for what the storage needs: iSCSI tools and the Longhorn mount on prod, the local-path mount on dev", () => {
    const template = (stack: "dev" | "prod") =>
      String(
        (ofType(runs[stack] as ProgramRun, "command:local:Command").find((c) => c.name === "cluster-template")?.inputs as Rec["inputs"]).stdin,
      );
    const prodCluster = parse(template("prod").split("---\n")[0]);
    expect(prodCluster.systemExtensions).toEqual(["siderolabs/iscsi-tools", "siderolabs/util-linux-tools"]);
    expect(JSON.stringify(prodCluster.patches)).toContain("/var/lib/longhorn");
    const devCluster = parse(template("dev").split("---\n")[0]);
    expect(devCluster.systemExtensions).toBeUndefined();
    expect(JSON.stringify(devCluster.patches)).toContain("/var/local-path-provisioner");
  });
});

describe("first deploy of the cloud stack, before the hub exists", () => {
  it("installs wave 0 on the cluster and leaves Argo CD registration and Applications for the next run", async () => {
    const run = await runStack("cloud", (v) => {
      v.platform.gitops.hubReady = false;
    });
    expect(release(run, "cilium")).toBeDefined();
    expect(ofType(run, APP)).toHaveLength(0);
    expect(ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject")).toHaveLength(0);
    const kubeconfigs = ofType(run, "command:local:Command").filter((c) => String((c.inputs as Rec["inputs"]).create).includes("--cluster 'prod'"));
    expect(kubeconfigs).toHaveLength(0);
  });
});
