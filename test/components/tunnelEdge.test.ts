import * as cloudflare from "@pulumi/cloudflare";
import { TunnelEdge, cloudflaredService, loginPaths } from "../../components/TunnelEdge";
import { accessTargets, gatewayOrigin, publicRoutes, tunnelIngress, tunnelTokenBitwarden } from "../../components/edge/routes";
import { hostnameOf } from "../../components/service/manifests";
import { recordResources } from "../../plan/mockRuntime";
import { runCommittedStack } from "../../plan/plan";
import { tunnelConnectorManifests } from "../../components/platform/tunnelConnector";
import { catalog } from "../../services";

const domain = "homelab.example";
// Computed inside each test: code run while tests are collected is out of reach of mutation testing's per-test switch.
const routes = () => publicRoutes(domain, catalog);

describe("public routes", () => {
  it("are Authentik's on the management VM's tunnel, then every tunnel entry on its own cluster's", () => {
    expect(routes()[0]).toMatchObject({ hostname: "auth.homelab.example", tunnel: "mgmt", origin: "http://authentik-server:9000", tier: "public" });
    const tunnelled = catalog.filter((e) => e.exposure.kind === "tunnel");
    expect(routes().slice(1).map((r) => [r.hostname, r.tunnel, r.origin])).toEqual(tunnelled.map((e) => [hostnameOf(e, domain), e.home, gatewayOrigin]));
    expect(new Set(routes().map((r) => r.hostname)).size).toBe(routes().length);
    expect(gatewayOrigin).toBe("http://cilium-gateway-tunnel.gateway.svc.cluster.local:80");
  });

  it("say who may enter by tier", () => {
    const admits = (service: string) => routes().find((r) => r.service === service)?.admits;
    expect(admits("vaultwarden")).toBe("Authentik groups family-validated, admin");
    expect(admits("lidarr")).toBe("Authentik group admin (and Cloudflare Access)");
    expect(admits("navidrome")).toBe("anyone with an account of the app");
    expect(admits("glance")).toBe("anyone");
  });

  it("make each tunnel's ingress its own hostnames, sorted, then a 404 for anything else", () => {
    const prod = tunnelIngress(routes(), "prod");
    expect(prod).toEqual([
      { hostname: "books.homelab.example", service: gatewayOrigin },
      { hostname: "comics.homelab.example", service: gatewayOrigin },
      { hostname: "games.homelab.example", service: gatewayOrigin },
      { hostname: "grafana.homelab.example", service: gatewayOrigin },
      { hostname: "ntfy.homelab.example", service: gatewayOrigin },
      { hostname: "play.homelab.example", service: gatewayOrigin },
      { service: "http_status:404" },
    ]);
    expect(tunnelIngress(routes(), "mgmt")).toEqual([{ hostname: "auth.homelab.example", service: "http://authentik-server:9000" }, { service: "http_status:404" }]);
    expect(tunnelIngress([], "cloud")).toEqual([{ service: "http_status:404" }]);
  });

  it("put Access in front of every admin hostname and every admin path, never Authentik", () => {
    expect(accessTargets(routes())).toEqual([
      { id: "vaultwarden-admin", name: "vaultwarden /admin (admins)", uri: "vault.homelab.example/admin" },
      { id: "lidarr", name: "lidarr (admins)", uri: "lidarr.homelab.example" },
      { id: "grafana", name: "grafana (admins)", uri: "grafana.homelab.example" },
    ]);
  });
});

describe("TunnelEdge", () => {
  const program = () => {
    const edge = new TunnelEdge("edge", {
      provider: new cloudflare.Provider("cloudflare", { apiToken: "fake-cloudflare-token" }),
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: "fedcba9876543210fedcba9876543210",
      accessTeam: "homelab",
      domain,
      catalog,
      accessClient: { clientId: "cloudflare-access", clientSecret: "fake-client-secret", issuer: "https://auth.homelab.example/application/o/cloudflare-access/" },
      bitwarden: { organizationId: "org", projectId: "project", apiUrl: "https://api.bitwarden.com", identityUrl: "https://identity.bitwarden.com", accessToken: "fake-writer-token" },
    });
    return { env: edge.env, workload: edge.workload };
  };
  type Run = Awaited<ReturnType<typeof recordResources>>;
  let run: Run;
  beforeAll(async () => {
    run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, program);
  });
  const of = (type: string) => run.resources.filter((r) => r.type === type);
  type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("creates one remotely managed tunnel per place, each configured with its ingress", () => {
    expect(of("cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared").map((r) => [r.name, r.inputs.configSrc, r.inputs.tunnelSecret]).sort()).toEqual([
      ["edge-cloud-tunnel", "cloudflare", "[secret]"],
      ["edge-mgmt-tunnel", "cloudflare", "[secret]"],
      ["edge-prod-tunnel", "cloudflare", "[secret]"],
    ]);
    const configs = of("cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig");
    expect((configs.find((c) => c.name === "edge-prod-tunnel-config")?.inputs as Inputs).config.ingresses).toEqual(tunnelIngress(routes(), "prod"));
  });

  it("owns exactly one proxied DNS record per public hostname, named after its service", () => {
    const records = of("cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((r) => r.inputs.name).sort()).toEqual(routes().map((r) => r.hostname).sort());
    for (const r of records) expect(r.inputs).toMatchObject({ type: "CNAME", proxied: true, ttl: 1 });
    expect(records.map((r) => r.name)).toContain("edge-dns-authentik");
    expect(records.every((r) => /^edge-dns-[a-z0-9-]+$/.test(r.name))).toBe(true);
  });

  it("puts Access with Authentik in front of the admin hostnames: the groups claim must hold admin", () => {
    const [idp] = of("cloudflare:index/zeroTrustAccessIdentityProvider:ZeroTrustAccessIdentityProvider");
    expect((idp.inputs as Inputs).config).toMatchObject({ clientId: "cloudflare-access", clientSecret: "[secret]", claims: ["groups"], certsUrl: "https://auth.homelab.example/application/o/cloudflare-access/jwks/" });
    const [policy] = of("cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy");
    expect((policy.inputs as Inputs).includes).toEqual([{ oidc: { claimName: "groups", claimValue: "admin", identityProviderId: expect.any(String) } }]);
    const apps = of("cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication");
    expect(apps.map((a) => (a.inputs as Inputs).destinations[0].uri).sort()).toEqual(["grafana.homelab.example", "lidarr.homelab.example", "vault.homelab.example/admin"]);
    for (const a of apps) expect(a.inputs).toMatchObject({ type: "self_hosted", autoRedirectToIdentity: true });
  });

  it("sets the zone to strict TLS, HTTPS only, TLS 1.2+, with managed WAF rules and a rate limit on login paths", () => {
    expect(of("cloudflare:index/zoneSetting:ZoneSetting").map((r) => [r.inputs.settingId, r.inputs.value]).sort()).toEqual([
      ["always_use_https", "on"],
      ["min_tls_version", "1.2"],
      ["ssl", "strict"],
    ]);
    const rulesets = of("cloudflare:index/ruleset:Ruleset").map((r) => r.inputs as Inputs);
    const waf = rulesets.find((r) => r.phase === "http_request_firewall_managed");
    const rate = rulesets.find((r) => r.phase === "http_ratelimit") as Inputs;
    expect(waf).toMatchObject({ phase: "http_request_firewall_managed", rules: [{ action: "execute", actionParameters: { id: "77454fe2d30c4220b5701f6fdfb893ba" } }] });
    expect(rate.rules[0]).toMatchObject({ action: "block", ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: 10, mitigationTimeout: 10 } });
    for (const p of loginPaths) expect(rate.rules[0].expression).toContain(JSON.stringify(p));
  });

  it("writes the clusters' tunnel tokens to Bitwarden and gives the VM's connector its own, all secret", () => {
    const written = of("pulumi-nodejs:dynamic/homelab:BitwardenSecret");
    expect(written.map((r) => [r.inputs.key, r.inputs.value]).sort()).toEqual([
      [tunnelTokenBitwarden("cloud"), "[secret]"],
      [tunnelTokenBitwarden("prod"), "[secret]"],
    ]);
    expect(run.outputs.env).toBe("[secret]");
    const text = JSON.stringify(run.resources.map((r) => r.inputs));
    for (const fake of ["fake-cloudflare-token", "fake-client-secret", "fake-writer-token"]) expect(text).not.toContain(fake);
  });

  it("runs the VM's connector from .env, ready when cloudflared says so", () => {
    expect(cloudflaredService()).toMatchObject({
      image: "docker.io/cloudflare/cloudflared:2026.10.0",
      environment: { TUNNEL_TOKEN: "${TUNNEL_TOKEN:?set in .env}" },
      networks: ["identity"],
      healthcheck: { test: ["CMD", "cloudflared", "tunnel", "--metrics", "localhost:2000", "ready"] },
    });
  });
});

describe("a cluster's tunnel connector", () => {
  const [ns, secret, deployment] = tunnelConnectorManifests("cloudflared-prod-tunnel-token");
  type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("reads its token from the Bitwarden secret the cloud stack writes", () => {
    expect(ns.metadata).toMatchObject({ name: "cloudflared", labels: { "pod-security.kubernetes.io/enforce": "restricted" } });
    expect((secret.spec as Inputs).data).toEqual([{ secretKey: "token", remoteRef: { key: "cloudflared-prod-tunnel-token" } }]);
  });

  it("runs two restricted replicas spread over nodes, ready once connected to Cloudflare", () => {
    const spec = deployment.spec as Inputs;
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe("kubernetes.io/hostname");
    const [c] = spec.template.spec.containers;
    expect(c).toMatchObject({
      image: "docker.io/cloudflare/cloudflared:2026.10.0",
      args: ["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"],
      env: [{ name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: "tunnel-token", key: "token" } } }],
      readinessProbe: { httpGet: { path: "/ready", port: "metrics" } },
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });
  });

  it("runs on the clusters that publish hostnames: cloud and prod, not dev", async () => {
    for (const [stack, key] of [
      ["cloud", "cloudflared-cloud-tunnel-token"],
      ["prod", "cloudflared-prod-tunnel-token"],
    ] as const) {
      const run = await runCommittedStack(stack, "update");
      const es = run.resources.find((r) => r.type.endsWith(":ExternalSecret") && (r.inputs as Inputs).metadata.namespace === "cloudflared");
      expect([stack, (es?.inputs as Inputs)?.spec.data[0].remoteRef.key]).toEqual([stack, key]);
    }
    const dev = await runCommittedStack("dev", "update");
    expect(dev.resources.some((r) => (r.inputs as Inputs).metadata?.namespace === "cloudflared")).toBe(false);
  }, 120_000);
});
