// The catalog: every entry is complete and consistent, what it declares is
// what its chart receives, and a new entry alone yields every derived object
// (the 15-minute promise, NFR-008).
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import { ClusterPlatform } from "../../components/ClusterPlatform";
import { platformApplications, platformRepositorySecrets } from "../../components/platform/catalog";
import { chartTable } from "../../components/platform/charts";
import { PlatformContext } from "../../components/platform/context";
import { addons } from "../../services/platform";
import { ruleGroups, rulesDocument } from "../../components/monitoring/alerts";
import { alertmanagerConfig, clusterRouting } from "../../components/monitoring/alertmanager";
import { images, monitoringReleases } from "../../config/versions";
import { prometheusStorage } from "../../services/platform/kubePrometheusStack";
import { resources } from "../../components/platform/resources";
import { httpRoute, networkPolicy, publicHostname, serviceChartDeclarations, serviceContext, workloadsOn } from "../../components/service/manifests";
import { allDashboards } from "../../components/monitoring/dashboards";
import { ssoGates } from "../../components/service/ssoGate";
import { serviceImages } from "../../config/versions";
import { recordResources } from "../../plan/mockRuntime";
import { valueAt } from "../../policies/rules/kubernetesInputs";
import { catalog, entriesFor } from "../../services";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "../../services/appTemplate";
import { ServiceEntry, authTiers, backupClasses } from "../../services/entry";
import { familyLinks, glanceConfig } from "../../services/glance";
import { committedRaw } from "../helpers";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const settings = committedRaw("prod").values.services;
/** The cloud cluster's static-IP egress proxy (the management VM's address in the committed cloud stack). */
const cloudProxy = { host: committedRaw("cloud").values.omni.vm.privateIp as string, port: 3128 };
const proxyFor = (e: ServiceEntry) => (e.home === "cloud" ? cloudProxy : undefined);

describe("every catalog entry", () => {
  it("has a unique DNS-label name, a unique subdomain, and one file in services/", () => {
    const names = catalog.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9-]{0,40}$/);
    const subdomains = catalog.flatMap((e) => (e.exposure.kind === "tunnel" ? [e.exposure.subdomain] : []));
    expect(new Set(subdomains).size).toBe(subdomains.length);
  });

  it.each(catalog.map((e) => [e.name, e] as const))("%s: says its tier, backup class, wave, dashboard and health", (_, e) => {
    expect(authTiers).toContain(e.auth);
    expect(backupClasses).toContain(e.backup);
    if (e.backup === "none") expect(e.backupNote).toMatch(/\S.{9,}/);
    expect([2, 3, 4]).toContain(e.wave);
    expect(e.dashboard.title).not.toBe("");
    expect(e.dashboard.icon).toMatch(/^(si|sh|di|mdi):[a-z0-9-]+$/);
    expect(e.health.path).toMatch(/^\//);
    if (e.podSecurity.level !== "restricted") expect(e.podSecurity.why).toMatch(/\S.{9,}/);
    for (const b of e.exposure.kind === "tunnel" ? (e.exposure.bypassSso ?? []) : []) expect(b.why).not.toBe("");
    if (e.home === "cloud") expect(e.dev).toBeUndefined();
  });

  it.each(catalog.flatMap((e) => [false, true].map((reduced) => [e.name, reduced, e] as const)))(
    "%s (dev overlay: %s): the values hold exactly the resources and replicas the budget counts",
    (_, reduced, e) => {
      if (reduced && (e.home !== "prod" || (e.dev && "skip" in e.dev))) return;
      const values = e.values(serviceContext(e, reduced ? "dev" : e.home, reduced, settings, catalog, proxyFor(e)));
      const workloads = workloadsOn(e, reduced);
      expect(Object.keys(e.workloadPaths).sort()).toEqual(Object.keys(workloads).sort());
      for (const [w, paths] of Object.entries(e.workloadPaths)) {
        expect(valueAt(values, paths.resources)).toEqual(workloads[w].resources);
        if (paths.replicas) expect(valueAt(values, paths.replicas)).toBe(workloads[w].replicas ?? 1);
      }
    },
  );

  it("runs where it says: cloud's entries on cloud, prod's on prod and on dev unless skipped", () => {
    for (const e of entriesFor("cloud")) expect(e.home).toBe("cloud");
    for (const e of entriesFor("prod")) expect(e.home).toBe("prod");
    for (const e of entriesFor("dev")) expect(e.dev && "skip" in e.dev).toBeFalsy();
    expect(entriesFor("cloud").length + entriesFor("prod").length).toBe(catalog.length);
  });
});

describe("the family dashboard (Glance)", () => {
  const admin: ServiceEntry = { ...catalog[0], name: "console", auth: "admin", exposure: { kind: "tunnel", subdomain: "console", port: 80 }, dashboard: { ...catalog[0].dashboard, title: "Console" } };
  const lanOnly: ServiceEntry = { ...catalog[0], name: "printer", exposure: { kind: "lan", service: "printer-ipp", controller: "main", ports: [{ name: "ipp", port: 631, protocol: "TCP" }] }, dashboard: { ...catalog[0].dashboard, title: "Printer" } };

  it("links every family service with a public address, by group, and never an admin app", () => {
    const config = parse(glanceConfig([...catalog, admin, lanOnly], settings));
    const widgets = config.pages[0].columns.flatMap((c: Inputs) => c.widgets);
    const bookmarks = widgets.find((w: Inputs) => w.type === "bookmarks");
    const links = bookmarks.groups.flatMap((g: Inputs) => g.links);
    const expected = catalog.filter((e) => e.exposure.kind === "tunnel" && e.auth !== "admin" && !e.dashboard.adminsOnly && e.name !== "glance");
    expect(catalog.filter((e) => e.dashboard.adminsOnly).map((e) => e.name)).toEqual(["ntfy"]);
    expect(links.map((l: Inputs) => l.url).sort()).toEqual(expected.map((e) => `https://${(e.exposure as { subdomain: string }).subdomain}.${settings.domain}`).sort());
    expect(JSON.stringify(config)).not.toContain("console");
    expect(JSON.stringify(config)).not.toContain("Printer");
    expect(widgets.find((w: Inputs) => w.type === "weather").location).toBe(settings.dashboard.weatherLocation);
    expect(widgets.find((w: Inputs) => w.type === "monitor").sites).toHaveLength(links.length);
  });

  it("groups are sorted and each link carries its title, icon and description", () => {
    const groups = familyLinks(catalog, "x.example");
    expect(groups.map((g) => g.group)).toEqual([...groups.map((g) => g.group)].sort());
    for (const l of groups.flatMap((g) => g.links)) expect(l).toEqual({ title: expect.any(String), url: expect.stringMatching(/^https:\/\/[a-z0-9-]+\.x\.example$/), icon: expect.any(String), description: expect.any(String) });
  });
});

/** A service someone adds in one file: what the walk-through in docs/how-to/add-a-service.md writes. */
const pastebin: ServiceEntry = {
  name: "pastebin",
  home: "prod",
  dev: { workloads: { web: { resources: resources("10m", "32Mi", "100m", "64Mi") } } },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["web"]),
  workloads: { web: { resources: resources("20m", "64Mi", "200m", "128Mi"), replicas: 2 } },
  auth: "sso",
  exposure: { kind: "tunnel", subdomain: "paste", port: 8080, bypassSso: [{ path: "/raw", why: "command-line clients" }] },
  volumes: [
    { kind: "data", name: "data", sizeGi: 1, mountPath: "/data" },
    { kind: "library", folder: "documents", access: "ro", sizeGi: 100, mountPath: "/documents" },
  ],
  backup: "critical",
  database: { engine: "postgres", sizeGi: 1, resources: resources("20m", "96Mi", "200m", "256Mi") },
  health: { path: "/healthz", port: 8080 },
  dashboard: { group: "Tools", title: "Paste", icon: "di:privatebin", description: "Share a snippet" },
  secrets: [{ key: "SIGNING_KEY", bitwarden: "pastebin-signing-key" }],
  egress: [{ why: "link previews", to: ["api.example.org"], ports: [443] }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) => appTemplateValues(pastebin, ctx, { containers: { web: { image: serviceImages.glance, env: { BASE_URL: ctx.url } } } }),
};

/** A home cluster's platform (prod the hub, dev registered with it) delivering `entries`, as a program for the mocks. */
const homePlatform = (cluster: "prod" | "dev", entries: ServiceEntry[], entryCatalog: readonly ServiceEntry[]) => () => {
  const raw = committedRaw(cluster).values;
  const provider = new k8s.Provider(cluster, { kubeconfig: "kubeconfig" });
  const hub = cluster === "prod" ? provider : new k8s.Provider("hub", { kubeconfig: "kubeconfig" });
  new ClusterPlatform("platform", {
    cluster,
    site: "home",
    workloadNodes: 1,
    platform: raw.platform,
    provider,
    hub: { cluster: "prod", provider: hub },
    registrationKubeconfig: cluster === "prod" ? undefined : "users: [{ user: { token: t } }]\nclusters: [{ cluster: { server: 'https://x' } }]",
    bitwardenMachineToken: "token",
    telemetry: cluster === "prod" ? { receiveAt: "192.168.71.242" } : { sendTo: "192.168.71.242", stack: "dev" },
    services: { entries, settings: raw.services, reduced: cluster === "dev", catalog: entryCatalog },
  });
  return {};
};

describe("a new entry, and nothing else", () => {
  const program = (cluster: "prod" | "dev") => homePlatform(cluster, [pastebin], [pastebin]);
  const byKind = (run: { resources: { type: string; inputs: Inputs; dependencies: string[]; urn: string }[] }, kind: string) =>
    run.resources.filter((r) => r.type.endsWith(`:${kind}`) && (r.inputs.metadata?.namespace === "pastebin" || r.inputs.metadata?.name?.includes("pastebin")));

  it("gets its Application in its wave and project, its namespace, policy, volumes, secrets, database and route", async () => {
    const run = await recordResources({ stack: "prod", config: {}, secretKeys: [] }, program("prod"));
    const [app] = byKind(run, "Application");
    expect(app.inputs.metadata).toMatchObject({ name: "prod-pastebin", annotations: { "argocd.argoproj.io/sync-wave": "3" } });
    expect(app.inputs.spec).toMatchObject({ project: "prod-services", destination: { name: "prod", namespace: "pastebin" }, source: { chart: "app-template", targetRevision: appTemplateChart.version } });
    expect(app.inputs.spec.source.helm.valuesObject.controllers.web).toMatchObject({ replicas: 2, containers: { app: { resources: pastebin.workloads.web.resources, env: { BASE_URL: "https://paste.homelab.example" } } } });

    const [ns] = byKind(run, "Namespace");
    expect(ns.inputs.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", "homelab.io/backup": "critical", "homelab.io/auth-tier": "sso" });

    const [policy] = byKind(run, "CiliumNetworkPolicy");
    expect(policy.inputs.spec.endpointSelector).toEqual({});
    // The Gateway reaches the SSO proxy only, never the app's own port.
    expect(policy.inputs.spec.ingress).toContainEqual({ fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "4180", protocol: "TCP" }] }] });
    expect(policy.inputs.spec.egress).toContainEqual({ toFQDNs: [{ matchName: "api.example.org" }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] });
    expect(policy.inputs.spec.egress).toContainEqual({ toFQDNs: [{ matchName: "auth.homelab.example" }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] });

    const claims = byKind(run, "PersistentVolumeClaim").map((r) => r.inputs);
    expect(claims).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ metadata: expect.objectContaining({ name: "pastebin-data", labels: expect.objectContaining({ "homelab.io/backup": "critical" }) }), spec: expect.objectContaining({ storageClassName: "longhorn", accessModes: ["ReadWriteOnce"] }) }),
        expect.objectContaining({ metadata: expect.objectContaining({ name: "documents" }), spec: expect.objectContaining({ storageClassName: "nfs-media", accessModes: ["ReadOnlyMany"] }) }),
      ]),
    );

    const [secret, gateSecret] = byKind(run, "ExternalSecret");
    expect(gateSecret.inputs.metadata.name).toBe("pastebin-sso-secrets");
    expect(secret.inputs.spec.data).toEqual([{ secretKey: "SIGNING_KEY", remoteRef: { key: "pastebin-signing-key" } }]);
    const [db] = byKind(run, "Cluster");
    expect(db.inputs.spec).toMatchObject({ instances: 1, bootstrap: { initdb: { database: "pastebin", owner: "pastebin" } }, resources: pastebin.database?.resources });
    const [route] = byKind(run, "HTTPRoute");
    expect(route.inputs.spec).toMatchObject({ hostnames: ["paste.homelab.example"], parentRefs: [{ name: "tunnel", namespace: "gateway" }], rules: [{ backendRefs: [{ name: "pastebin-sso", port: 4180 }] }] });
    // Its SSO proxy, ready before the route sends to it.
    const [proxy] = byKind(run, "Deployment");
    const [proxyService] = byKind(run, "Service");
    expect(proxy.inputs.metadata).toMatchObject({ name: "pastebin-sso", namespace: "pastebin" });
    expect(proxyService.inputs.spec.ports).toEqual([{ name: "http", port: 4180, targetPort: "http", protocol: "TCP" }]);
    expect(byKind(run, "ConfigMap")[0].inputs.data["oauth2-proxy.cfg"]).toContain('allowed_groups = ["family-validated", "admin"]');
    for (const r of [proxy, proxyService, gateSecret]) expect(route.dependencies).toContain(r.urn);

    // The Application waits for everything it needs, and for the waves before its own.
    for (const r of [ns, policy, secret, db, route, proxy]) expect(app.dependencies).toContain(r.urn);
    const platformApps = run.resources.filter((r) => r.type.endsWith(":Application") && (r.inputs as Inputs).metadata.annotations["argocd.argoproj.io/sync-wave"] === "1");
    for (const r of platformApps) expect(app.dependencies).toContain(r.urn);
  });

  it("gets dev's smaller overlay on dev, with the same objects", async () => {
    const run = await recordResources({ stack: "dev", config: {}, secretKeys: [] }, program("dev"));
    const [app] = byKind(run, "Application");
    expect(app.inputs.spec.source.helm.valuesObject.controllers.web.containers.app.resources).toEqual((pastebin.dev as { workloads: Record<string, { resources: unknown }> }).workloads.web.resources);
    expect(byKind(run, "Namespace")).toHaveLength(1);
    expect(byKind(run, "HTTPRoute")[0].inputs.spec.hostnames).toEqual(["paste.dev.homelab.example"]);
  });

  it("is declared to the budget policies by its release", () => {
    expect(serviceChartDeclarations([pastebin])).toEqual({
      "app-template@pastebin": { workloads: [{ path: "controllers.web.containers.app.resources", replicasPath: "controllers.web.replicas" }] },
    });
  });

  it("appears on the family dashboard", () => {
    expect(familyLinks([pastebin], "homelab.example")).toEqual([
      { group: "Tools", links: [{ title: "Paste", url: "https://paste.homelab.example", icon: "di:privatebin", description: "Share a snippet" }] },
    ]);
  });
});

describe("the public hostnames the edge consumes", () => {
  it("carry the tier, the paths that keep the app's own login, and the paths for admins only", () => {
    const vaultwarden = catalog.find((e) => e.name === "vaultwarden") as ServiceEntry;
    expect(publicHostname(vaultwarden, "homelab.example")).toEqual({
      hostname: "vault.homelab.example",
      service: "vaultwarden",
      tier: "sso",
      bypassSso: ["/api", "/identity", "/notifications/hub", "/icons", "/attachments"],
      adminPaths: ["/admin"],
    });
    expect(publicHostname(pastebin, "dev.homelab.example")).toEqual({ hostname: "paste.dev.homelab.example", service: "pastebin", tier: "sso", bypassSso: ["/raw"], adminPaths: [] });
    expect(publicHostname(catalog.find((e) => e.name === "adguard") as ServiceEntry, "homelab.example")).toBeUndefined();
  });
});

describe("static-IP egress (Comet and Real-Debrid)", () => {
  const comet = catalog.find((e) => e.name === "comet") as ServiceEntry;
  const viaProxy: ServiceEntry = { ...comet, name: "fetcher", home: "prod", egress: [{ why: "an upstream that allows one address", to: "static-ip-proxy" }] };

  it("allows the proxy's address and port out, and no other public address", () => {
    const policy = networkPolicy(comet, { domain: "homelab.example", cluster: "cloud", egressProxy: cloudProxy }) as Inputs;
    expect(policy.spec.egress).toContainEqual({ toCIDR: [`${cloudProxy.host}/32`], toPorts: [{ ports: [{ port: "3128", protocol: "TCP" }] }] });
    expect(JSON.stringify(policy.spec.egress)).not.toContain("world");
    expect(policy.spec.egress.filter((r: Inputs) => r.toFQDNs || r.toCIDR || r.toEntities)).toHaveLength(1);
  });

  it("gives the app the proxy's URL, every request through it", () => {
    const ctx = serviceContext(comet, "cloud", false, settings, catalog, cloudProxy);
    expect(ctx.staticEgressProxy).toBe(`http://${cloudProxy.host}:3128`);
    const env = valueAt(comet.values(ctx), "controllers.server.containers.app.env") as Inputs;
    expect(env).toMatchObject({ GLOBAL_PROXY_URL: `http://${cloudProxy.host}:3128`, PROXY_ETHOS: "always" });
    // The database URL in Comet's form, the password expanded by Kubernetes from the variable set before it.
    expect(env.DATABASE_URL).toEqual({ value: "comet:$(DATABASE_PASSWORD)@comet-db-rw:5432/comet", dependsOn: "DATABASE_PASSWORD" });
    expect(env.DATABASE_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: "comet-db-app", key: "password" } } });
    expect(serviceContext(catalog.find((e) => e.name === "mealie") as ServiceEntry, "cloud", false, settings, catalog, cloudProxy).staticEgressProxy).toBeUndefined();
  });

  it("is refused, by name, on a cluster without the proxy", () => {
    const expected = "service fetcher: its egress goes through the static-IP proxy, which cluster prod does not have; expected a service of the cloud cluster (its management VM holds the reserved IP)";
    expect(() => serviceContext(viaProxy, "prod", false, settings, catalog)).toThrow(expected);
    expect(() => networkPolicy(viaProxy, { domain: "homelab.example", cluster: "prod" })).toThrow(expected);
  });

  it("runs two replicas spread over nodes, rolling (no volume holds them to one node)", () => {
    const values = comet.values(serviceContext(comet, "cloud", false, settings, catalog, cloudProxy));
    expect(valueAt(values, "controllers.server")).toMatchObject({
      replicas: 2,
      strategy: "RollingUpdate",
      pod: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/instance": "comet", "app.kubernetes.io/controller": "server" } } }] },
    });
    const single = catalog.find((e) => e.name === "mealie") as ServiceEntry;
    expect(valueAt(single.values(serviceContext(single, "cloud", false, settings, catalog)), "controllers.server.pod")).toBeUndefined();
  });
});

describe("AdGuard's encrypted DNS on the LAN", () => {
  const adguard = catalog.find((e) => e.name === "adguard") as ServiceEntry;
  const record = (cluster: "prod" | "dev") => recordResources({ stack: cluster, config: {}, secretKeys: [] }, homePlatform(cluster, [adguard], catalog));
  const inAdguard = (run: Awaited<ReturnType<typeof record>>, kind: string) => run.resources.filter((r) => r.type.endsWith(`:${kind}`) && (r.inputs as Inputs).metadata?.namespace === "adguard");

  it("gets a Let's Encrypt certificate for dns.<domain>, issued before the app, mounted where its config reads it", async () => {
    const run = await record("prod");
    const [cert] = inAdguard(run, "Certificate");
    expect(cert.inputs).toMatchObject({
      metadata: { name: "adguard-tls", annotations: { "pulumi.com/waitFor": "condition=Ready" } },
      spec: { secretName: "adguard-tls", dnsNames: ["dns.homelab.example"], issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-prod" } },
    });
    const app = run.resources.find((r) => r.type.endsWith(":Application") && (r.inputs as Inputs).metadata.name === "prod-adguard");
    expect(app?.dependencies).toContain(cert.urn);
    const values = (app?.inputs as Inputs).spec.source.helm.valuesObject;
    expect(values.persistence.tls).toEqual({ type: "secret", name: "adguard-tls", advancedMounts: { dns: { app: [{ path: "/tls", readOnly: true }] } } });
    const seed = parse(values.configMaps.seed.data["AdGuardHome.yaml"]);
    expect(seed.tls).toMatchObject({ enabled: true, server_name: "dns.homelab.example", port_https: 443, port_dns_over_tls: 853, certificate_path: "/tls/tls.crt", private_key_path: "/tls/tls.key" });
    // The LAN resolves the encrypted-DNS name to AdGuard's own fixed address.
    expect(seed.filtering.rewrites).toEqual([{ domain: "dns.homelab.example", answer: "192.168.71.241", enabled: true }]);
  });

  it("answers on its fixed LAN address: plain DNS, DoT and DoH, and the network policy opens exactly those ports", async () => {
    const run = await record("prod");
    const lan = inAdguard(run, "Service").find((r) => (r.inputs as Inputs).spec.type === "LoadBalancer");
    expect((lan?.inputs as Inputs).metadata.annotations).toEqual({ "lbipam.cilium.io/ips": "192.168.71.241" });
    expect((lan?.inputs as Inputs).spec.ports.map((p: Inputs) => `${p.port}/${p.protocol}`)).toEqual(["53/UDP", "53/TCP", "853/TCP", "443/TCP"]);
    const [policy] = inAdguard(run, "CiliumNetworkPolicy");
    expect((policy.inputs as Inputs).spec.ingress[1].toPorts[0].ports.map((p: Inputs) => `${p.port}/${p.protocol}`)).toEqual(["53/UDP", "53/TCP", "853/TCP", "443/TCP"]);
  });

  it("on dev (no LAN addresses) keeps its certificate and adds no rewrite to an address it does not have", async () => {
    const run = await record("dev");
    expect(inAdguard(run, "Certificate")).toHaveLength(1);
    expect(inAdguard(run, "Service").filter((r) => (r.inputs as Inputs).spec.type === "LoadBalancer")).toHaveLength(0);
    const app = run.resources.find((r) => r.type.endsWith(":Application") && (r.inputs as Inputs).metadata.name === "dev-adguard");
    const seed = parse((app?.inputs as Inputs).spec.source.helm.valuesObject.configMaps.seed.data["AdGuardHome.yaml"]);
    expect(seed.filtering.rewrites).toEqual([]);
  });
});

describe("Home Assistant's USB radios", () => {
  const ha = catalog.find((e) => e.name === "home-assistant") as ServiceEntry;
  const values = (usbDevices?: { usbId: string; path: string; group: number }[]) =>
    ha.values(serviceContext(ha, "prod", false, { ...settings, ...(usbDevices ? { homeAssistant: { usbDevices } } : {}) }, catalog)) as Inputs;

  it("mount each configured device at its path, the container privileged for the device and in the device's group", () => {
    const v = values([{ usbId: "10c4:ea60", path: "/dev/serial/by-id/usb-Silicon_Labs_CP2102N-if00-port0", group: 20 }]);
    expect(v.persistence["device-0"]).toEqual({
      type: "hostPath",
      hostPath: "/dev/serial/by-id/usb-Silicon_Labs_CP2102N-if00-port0",
      advancedMounts: { server: { app: [{ path: "/dev/serial/by-id/usb-Silicon_Labs_CP2102N-if00-port0" }] } },
    });
    expect(v.controllers.server.containers.app.securityContext).toMatchObject({ privileged: true, runAsUser: 1000, runAsNonRoot: true });
    expect(v.defaultPodOptions.securityContext.supplementalGroups).toEqual([20]);
    // The init step that prepares the configuration stays unprivileged.
    expect(v.controllers.server.initContainers.configuration.securityContext.privileged).toBeUndefined();
  });

  it("leave the container unprivileged when none are configured", () => {
    const v = values();
    expect(v.controllers.server.containers.app.securityContext.privileged).toBeUndefined();
    expect(Object.keys(v.persistence).filter((k) => k.startsWith("device-"))).toEqual([]);
    expect(v.defaultPodOptions.securityContext.supplementalGroups).toBeUndefined();
  });

  it("are refused for an app outside a privileged namespace", () => {
    const restricted: ServiceEntry = { ...pastebin, name: "radio" };
    expect(() => appTemplateValues(restricted, serviceContext(restricted, "prod", false, settings, catalog), { containers: { web: { image: serviceImages.glance } }, devices: [{ path: "/dev/ttyUSB0", group: 20 }] })).toThrow(
      "service radio: host devices need the privileged Pod Security level",
    );
  });
});

describe("Immich's settings file", () => {
  it("is rendered by External Secrets with the client secret JSON-quoted, whatever it holds", () => {
    const immich = catalog.find((e) => e.name === "immich") as ServiceEntry;
    const ctx = serviceContext(immich, "cloud", false, settings, catalog);
    const template = immich.secretTemplate?.(ctx)["immich-config.yaml"] as string;
    expect(template).toContain("{{ .OAUTH_CLIENT_SECRET | toJson }}");
    // What External Secrets' toJson puts there, for a secret with quotes, a newline and a template-looking part.
    const secret = 'a"b\nc{{ .x }}';
    const rendered = JSON.parse(template.replace("{{ .OAUTH_CLIENT_SECRET | toJson }}", JSON.stringify(secret)));
    expect(rendered.oauth).toMatchObject({ enabled: true, clientId: "immich", clientSecret: secret, issuerUrl: `https://auth.${settings.domain}/application/o/immich/` });
    expect(immich.secrets).toEqual([{ key: "OAUTH_CLIENT_SECRET", bitwarden: "immich-oidc-client-secret" }]);
    expect((immich.values(ctx).immich as Inputs)).toMatchObject({ existingConfiguration: "immich-secrets", configurationKind: "Secret" });
    expect(JSON.stringify(immich.values(ctx))).not.toContain("clientSecret");
  });
});

describe("admin apps", () => {
  it("are routed only through a gate that admits group admin, and have their public hostname", () => {
    const admins = catalog.filter((e) => e.auth === "admin" && e.exposure.kind === "tunnel");
    expect(admins.length).toBeGreaterThan(0);
    for (const e of admins) {
      const gates = ssoGates(e, "homelab.example");
      expect(gates.map((g) => g.allowedGroups)).toEqual([["admin"]]);
      expect((httpRoute(e, "homelab.example")?.spec as { rules: unknown[] }).rules).toEqual([{ backendRefs: [{ name: gates[0].name, port: 4180 }] }]);
      expect(publicHostname(e, "homelab.example")).toMatchObject({ tier: "admin" });
    }
  });
});

describe("platform add-ons", () => {
  const ctx = (over: Partial<PlatformContext> = {}): PlatformContext => ({ cluster: "prod", site: "home", workloadNodes: 1, platform: committedRaw("prod").values.platform, telemetry: { role: "receiver", address: "192.168.71.242" }, ...over });

  it("each is one file in services/platform/, its Application named <cluster>-<name> in wave 1 of the platform project", () => {
    const apps = platformApplications(ctx({ databases: true }));
    expect(apps.map((a) => a.name).sort()).toEqual(["prod-alloy", "prod-cloudnative-pg", "prod-csi-driver-nfs", "prod-loki", "prod-longhorn"]);
    for (const a of apps) expect(a).toMatchObject({ cluster: "prod", project: "prod-platform", wave: 1 });
    expect(addons.map((a) => a.name).sort()).toEqual(["alloy", "arc-controller", "arc-runners", "blackbox-exporter", "cloudnative-pg", "csi-driver-nfs", "kube-prometheus-stack", "local-path", "loki", "longhorn", "velero", "volsync"]);
  });

  it("runs the GitHub Actions runner only where its settings are given: the controller in wave 1, the scale set last, from the OCI registry", () => {
    const runner = { repository: "family/homelab", maxRunners: 2, proxmox: { host: "192.168.68.51", apiPort: 8006 } };
    expect(platformApplications(ctx()).filter((a) => a.name.includes("arc-"))).toEqual([]);
    const apps = platformApplications(ctx({ runner })).filter((a) => a.name.includes("arc-"));
    expect(apps.map((a) => [a.name, a.wave, a.namespace, a.source.repoURL])).toEqual([
      ["prod-arc-controller", 1, "arc-systems", "ghcr.io/actions/actions-runner-controller-charts"],
      ["prod-arc-runners", 4, "arc-runners", "ghcr.io/actions/actions-runner-controller-charts"],
    ]);
    const values = apps[1].values as { githubConfigUrl: string; githubConfigSecret: string; runnerScaleSetName: string; maxRunners: number; minRunners: number; controllerServiceAccount: unknown; template: { spec: { serviceAccountName: string; containers: { image: string }[] } } };
    expect(values).toMatchObject({ githubConfigUrl: "https://github.com/family/homelab", githubConfigSecret: "github-runner-app", runnerScaleSetName: "homelab", minRunners: 0, maxRunners: 2 });
    // Named, because Argo CD renders the chart without the cluster lookup that would find it.
    expect(values.controllerServiceAccount).toEqual({ namespace: "arc-systems", name: (apps[0].values as { serviceAccount: { name: string } }).serviceAccount.name });
    expect(values.template.spec.serviceAccountName).toBe("homelab-runner");
    expect(values.template.spec.containers[0].image).toBe(images.actionsRunner);
    expect(platformRepositorySecrets(ctx({ runner })).map((m) => (m as unknown as { stringData: Record<string, string> }).stringData)).toEqual([
      { type: "helm", name: "ghcr.io/actions/actions-runner-controller-charts", url: "ghcr.io/actions/actions-runner-controller-charts", enableOCI: "true", project: "prod-platform" },
    ]);
    expect(platformRepositorySecrets(ctx())).toEqual([]);
  });

  it("runs Prometheus and Alertmanager where the alerting is given (prod), with the program's rules and routing and the releases verify runs", () => {
    const alerting = { groups: ruleGroups(catalog), routing: clusterRouting(42), scrape: [{ job: "proxmox-host", targets: ["192.168.68.51:9100"] }] };
    expect(platformApplications(ctx()).map((a) => a.name)).not.toContain("prod-kube-prometheus-stack");
    const app = platformApplications(ctx({ alerting })).find((a) => a.name === "prod-kube-prometheus-stack");
    const values = app?.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(values.additionalPrometheusRulesMap).toEqual({ homelab: rulesDocument(alerting.groups) });
    expect(values.alertmanager.config).toEqual(alertmanagerConfig(alerting.routing));
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({ image: { tag: `v${monitoringReleases.alertmanager}` }, secrets: ["alertmanager-notify", "alertmanager-ntfy"] });
    expect(values.prometheus.prometheusSpec).toMatchObject({
      image: { tag: `v${monitoringReleases.prometheus}` },
      retention: "30d",
      retentionSize: "18GB",
      externalLabels: { cluster: "prod" },
      storageSpec: { volumeClaimTemplate: { metadata: { labels: { "homelab.io/backup": "none" } }, spec: { resources: { requests: { storage: "20Gi" } } } } },
    });
    // 18 GB of a 20 GiB volume: the size limit stops Prometheus before the disk is full.
    expect(prometheusStorage.retentionGb * 1e9).toBeLessThan(0.9 * prometheusStorage.sizeGi * 2 ** 30);
    expect(values.defaultRules).toEqual({ create: false });
    expect(values.prometheus.prometheusSpec.additionalScrapeConfigs).toEqual([{ job_name: "proxmox-host", static_configs: [{ targets: ["192.168.68.51:9100"] }] }]);
  });

  it("runs only where needed: local-path where it is the default class, the database operator where a service has a database", () => {
    const dev: PlatformContext = { cluster: "dev", site: "home" as const, workloadNodes: 1, platform: committedRaw("dev").values.platform, telemetry: { role: "sender", address: "192.168.71.242", stack: "dev", probes: [], scrapes: [] } };
    expect(platformApplications(dev).map((a) => a.name)).toEqual(["dev-local-path", "dev-csi-driver-nfs", "dev-alloy"]);
    expect(platformApplications({ ...dev, databases: true }).map((a) => a.name)).toContain("dev-cloudnative-pg");
  });

  it("declares where its chart sets resources, for the budget and the policies", () => {
    for (const a of addons) expect(chartTable[a.chart.chart]).toBe(a.declaration);
  });
});

describe("app-template values", () => {
  const ctx = () => serviceContext(pastebin, "prod", false, settings, [pastebin]);
  const image = serviceImages.glance;

  it("refuse a container that starts as root in a restricted namespace, and the host network outside a privileged one", () => {
    expect(() => appTemplateValues(pastebin, ctx(), { containers: { web: { image, startsAsRoot: "chowns its volume" } } })).toThrow(
      "service pastebin: web starts as root, which restricted Pod Security refuses",
    );
    expect(() => appTemplateValues(pastebin, ctx(), { containers: { web: { image } }, hostNetwork: "discovery" })).toThrow("service pastebin: hostNetwork needs the privileged Pod Security level");
    const baseline = { ...pastebin, podSecurity: { level: "baseline" as const, why: "its init runs as root" } };
    const values = appTemplateValues(baseline, ctx(), { containers: { web: { image, startsAsRoot: "chowns its volume" } } });
    expect((values.controllers as Inputs).web.containers.app.securityContext).toEqual({ allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } });
    expect((values.defaultPodOptions as Inputs).securityContext).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
  });

  it("mount the service account's token, and open the API server, only for an entry that calls it", () => {
    const plain = appTemplateValues(pastebin, ctx(), { containers: { web: { image } } }) as Inputs;
    expect(plain.defaultPodOptions.automountServiceAccountToken).toBe(false);
    const caller = { ...pastebin, kubernetesApi: { why: "reads its own ConfigMap" } };
    expect((appTemplateValues(caller, ctx(), { containers: { web: { image } } }) as Inputs).defaultPodOptions.automountServiceAccountToken).toBe(true);
    const apiServer = { toEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "6443", protocol: "TCP" }] }] };
    expect((networkPolicy(caller, { domain: "homelab.example", cluster: "prod" }) as Inputs).spec.egress).toContainEqual(apiServer);
    expect(JSON.stringify((networkPolicy(pastebin, { domain: "homelab.example", cluster: "prod" }) as Inputs).spec.egress)).not.toContain("kube-apiserver");
    // Of the catalog, only the launch page calls it (for a KubeVirt session).
    expect(catalog.filter((e) => e.kubernetesApi).map((e) => e.name)).toEqual(["gaming-launch"]);
  });

  it("give init steps the image, secrets, user and volumes of the main container", () => {
    const values = appTemplateValues(pastebin, ctx(), { containers: { web: { image, runAs: 33 } }, initSteps: { seed: { command: ["sh", "-c", "true"], resources: resources("1m", "1Mi", "2m", "2Mi") } } }) as Inputs;
    expect(values.controllers.web.initContainers.seed).toEqual({
      image: values.controllers.web.containers.app.image,
      command: ["sh", "-c", "true"],
      envFrom: [{ secretRef: { name: "pastebin-secrets" } }],
      resources: resources("1m", "1Mi", "2m", "2Mi"),
      securityContext: values.controllers.web.containers.app.securityContext,
    });
    expect(values.controllers.web.initContainers.seed.securityContext).toMatchObject({ runAsUser: 33, readOnlyRootFilesystem: true });
    expect(values.persistence.data.advancedMounts.web).toEqual({ app: [{ path: "/data", readOnly: false }], seed: [{ path: "/data", readOnly: false }] });
    expect(values.persistence.documents.advancedMounts.web.seed).toEqual([{ path: "/documents", readOnly: true }]);
  });

  it("give a sidecar with a port its own Service and probe, the main Service keeping the entry's name", () => {
    const withSidecar = { ...pastebin, workloads: { ...pastebin.workloads, cache: { resources: resources("1m", "1Mi", "2m", "2Mi") } } };
    const values = appTemplateValues(withSidecar, ctx(), { containers: { web: { image }, cache: { image, port: 6379, probe: { path: "/ping", port: 6379 } } } }) as Inputs;
    expect(values.service).toEqual({ app: { controller: "web", forceRename: "pastebin", ports: { http: { port: 8080 } } }, cache: { controller: "cache", ports: { http: { port: 6379 } } } });
    expect(values.controllers.cache.containers.app.probes.liveness.spec.httpGet).toEqual({ path: "/ping", port: 6379 });
    expect(values.controllers.cache.containers.app.probes.startup).toBeUndefined();
  });
});

describe("grafana", () => {
  const grafana = catalog.find((e) => e.name === "grafana") as ServiceEntry;
  const values = () => grafana.values(serviceContext(grafana, "prod", false, settings, catalog)) as Inputs;

  it("signs admins in through Authentik only: its own client, group admin made Grafana admins, nobody else, no local admin or form", () => {
    const v = values();
    const oauth = v["grafana.ini"]["auth.generic_oauth"];
    expect(oauth).toMatchObject({
      enabled: true,
      client_id: "grafana",
      client_secret: "$__env{GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET}",
      auth_url: "https://auth.homelab.example/application/o/authorize/",
      token_url: "https://auth.homelab.example/application/o/token/",
      api_url: "https://auth.homelab.example/application/o/userinfo/",
      allowed_groups: "admin",
      role_attribute_path: "contains(groups[*], 'admin') && 'Admin'",
      role_attribute_strict: true,
      use_pkce: true,
    });
    expect(v["grafana.ini"].auth.disable_login_form).toBe(true);
    expect(v["grafana.ini"]["auth.basic"].enabled).toBe(false);
    expect(v["grafana.ini"].server.root_url).toBe("https://grafana.homelab.example");
    expect(v.env).toEqual({ GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION: "true" });
    expect(v.envFromSecret).toBe("grafana-secrets");
    expect(grafana.secrets).toEqual([{ key: "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET", bitwarden: "grafana-oidc-client-secret" }]);
    expect(grafana).toMatchObject({ auth: "admin", home: "prod", oidc: { redirectPaths: ["/login/generic_oauth"] } });
  });

  it("provisions Prometheus, Loki and Alertmanager and every dashboard, read-only", () => {
    const v = values();
    expect(v.datasources["datasources.yaml"].datasources.map((d: Inputs) => [d.uid, d.type, d.editable])).toEqual([
      ["prometheus", "prometheus", false],
      ["loki", "loki", false],
      ["alertmanager", "alertmanager", false],
    ]);
    expect(Object.keys(v.dashboards.homelab)).toEqual(allDashboards(catalog).map((d) => d.uid));
    for (const d of Object.values(v.dashboards.homelab) as { json: string }[]) expect(() => JSON.parse(d.json)).not.toThrow();
    expect(v.dashboardProviders["dashboardproviders.yaml"].providers[0]).toMatchObject({ name: "homelab", disableDeletion: true, editable: false });
  });

  it("may reach the monitoring namespace on Prometheus', Loki's and Alertmanager's ports, and nothing else there", () => {
    const policy = networkPolicy(grafana, { domain: "homelab.example", cluster: "prod" }) as Inputs;
    expect(policy.spec.egress).toContainEqual({ toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "monitoring" } }], toPorts: [{ ports: ["9090", "3100", "9093"].map((port) => ({ port, protocol: "TCP" })) }] });
  });
});
