import { allowedGroups } from "../../components/identity/groups";
import { httpRoute, networkPolicy } from "../../components/service/manifests";
import { SsoGate, admittedGroups, bypassPattern, clusterEndpoints, oauth2ProxyConfig, ssoGateManifests, ssoGates } from "../../components/service/ssoGate";
import { catalog } from "../../services";
import { ServiceEntry } from "../../services/entry";
import { matrixCases, prefixMatches, routeBackend } from "../../verify/sso/cases";

const domain = "homelab.example";
const byName = (name: string) => catalog.find((e) => e.name === name) as ServiceEntry;
const vaultwarden = byName("vaultwarden");

describe("allowed groups by tier", () => {
  it("admits the family and admins to sso apps, admins alone to admin apps, and nobody through a proxy otherwise", () => {
    expect(allowedGroups("sso")).toEqual(["family-validated", "admin"]);
    expect(allowedGroups("admin")).toEqual(["admin"]);
    expect(allowedGroups("native")).toEqual([]);
    expect(allowedGroups("public")).toEqual([]);
  });
});

describe("SSO gates of an entry", () => {
  it("front the whole host of an sso entry, and its admin paths with a stricter gate of their own", () => {
    const [host, admin, ...rest] = ssoGates(vaultwarden, domain);
    expect(rest).toEqual([]);
    expect(host).toEqual({
      name: "vaultwarden-sso",
      entry: "vaultwarden",
      hostname: "vault.homelab.example",
      paths: [],
      proxyPrefix: "/oauth2",
      allowedGroups: ["family-validated", "admin"],
      bypass: ["/api", "/identity", "/notifications/hub", "/icons", "/attachments"],
      cookieName: "_sso_vaultwarden",
      cookieExpire: "168h",
      upstream: { service: "vaultwarden", port: 80 },
    });
    expect(admin).toMatchObject({ name: "vaultwarden-sso-admin", paths: ["/admin"], proxyPrefix: "/oauth2-admin", allowedGroups: ["admin"], bypass: [], cookieName: "_sso_vaultwarden_admin", cookieExpire: "12h" });
  });

  it("front an admin entry once, admins only, with short sessions; none for native, public or LAN entries", () => {
    expect(ssoGates(byName("lidarr"), domain)).toEqual([expect.objectContaining({ name: "lidarr-sso", allowedGroups: ["admin"], cookieExpire: "12h", paths: [] })]);
    for (const e of catalog.filter((x) => x.auth === "native" || x.auth === "public" || x.exposure.kind !== "tunnel")) {
      expect([e.name, ssoGates(e, domain)]).toEqual([e.name, (e.exposure.kind === "tunnel" ? e.exposure.adminPaths ?? [] : []).length ? expect.any(Array) : []]);
    }
    const nativeWithAdminPage: ServiceEntry = { ...byName("mealie"), exposure: { kind: "tunnel", subdomain: "recipes", port: 9000, adminPaths: [{ path: "/admin", why: "settings" }] } };
    expect(ssoGates(nativeWithAdminPage, domain).map((g) => [g.name, g.paths, g.allowedGroups])).toEqual([["mealie-sso-admin", ["/admin"], ["admin"]]]);
    // An admin entry's own gate already admits admins only: no second gate for its admin paths.
    const adminWithAdminPath: ServiceEntry = { ...byName("lidarr"), exposure: { kind: "tunnel", subdomain: "lidarr", port: 8686, adminPaths: [{ path: "/settings", why: "x" }] } };
    expect(ssoGates(adminWithAdminPath, domain).map((g) => g.name)).toEqual(["lidarr-sso"]);
  });

  it("give every gate of the catalog a distinct cookie (two on one browser host would overwrite each other)", () => {
    const cookies = catalog.flatMap((e) => ssoGates(e, domain).map((g) => g.cookieName));
    expect(new Set(cookies).size).toBe(cookies.length);
  });
});

describe("bypass patterns", () => {
  // The pattern is RE2 for oauth2-proxy; these constructs mean the same in JavaScript.
  const matches = (prefix: string, path: string) => new RegExp(bypassPattern(prefix)).test(path);

  it("match the prefix and what is below it, nothing else", () => {
    expect(bypassPattern("/remote.php")).toBe(String.raw`^/remote\.php(?:/(?:[^/.][^/]*|\.(?:[^/.][^/]*)?|\.\.[^/]+)?)*$`);
    for (const p of ["/remote.php", "/remote.php/", "/remote.php/dav/files/a", "/remote.php/.hidden", "/remote.php/./x", "/remote.php/..x", "/remote.php/a..b"]) expect([p, matches("/remote.php", p)]).toEqual([p, true]);
    for (const p of ["/remote.phpx", "/remoteXphp", "/", "/x/remote.php", "/remote.php/..", "/remote.php/../admin", "/remote.php/a/../../admin"]) expect([p, matches("/remote.php", p)]).toEqual([p, false]);
  });

  it("escape every metacharacter a path may hold, and ignore a trailing slash", () => {
    expect(matches("/a+b(c)[d]{e}|f^g$h*i?j\\k", "/a+b(c)[d]{e}|f^g$h*i?j\\k/x")).toBe(true);
    expect(matches("/a+b", "/aab")).toBe(false);
    expect(matches("/api/", "/api")).toBe(true);
  });
});

describe("oauth2-proxy configuration", () => {
  // Computed inside each test: code run while tests are collected is out of reach of mutation testing's per-test switch.
  const nextcloudGate = () => ssoGates(byName("nextcloud"), domain)[0];

  it("asks Authentik's application issuer, calls back on the public hostname and fronts the app's Service", () => {
    const gate = nextcloudGate();
    const config = oauth2ProxyConfig(gate, clusterEndpoints(gate, domain));
    const lines = config.split("\n");
    for (const line of [
      'http_address = "0.0.0.0:4180"',
      "reverse_proxy = false",
      'provider = "oidc"',
      'oidc_issuer_url = "https://auth.homelab.example/application/o/nextcloud-sso/"',
      'client_id = "nextcloud-sso"',
      'redirect_url = "https://cloud.homelab.example/oauth2/callback"',
      'upstreams = ["http://nextcloud.nextcloud.svc.cluster.local:80/"]',
      'allowed_groups = ["family-validated", "admin"]',
      'email_domains = ["*"]',
      "skip_provider_button = true",
      "cookie_secure = true",
      'cookie_name = "_sso_nextcloud"',
      'proxy_prefix = "/oauth2"',
      'oidc_groups_claim = "groups"',
    ]) {
      expect(lines).toContain(line);
    }
    expect(config).not.toMatch(/client_secret|cookie_secret/);
    expect(admittedGroups(config)).toEqual(["family-validated", "admin"]);
  });

  it("quotes every value as one TOML string, whatever it holds", () => {
    const gate = nextcloudGate();
    const odd: SsoGate = { ...gate, bypass: ['/a"b\\c\n'], hostname: "x" };
    const config = oauth2ProxyConfig(odd, { listen: "127.0.0.1:1", issuer: 'http://i/"', origin: "http://o", upstream: "http://u/", secureCookie: false });
    expect(config).toContain('oidc_issuer_url = "http://i/\\""');
    expect(config).toContain("cookie_secure = false");
    const skip = config.split("\n").find((l) => l.startsWith("skip_auth_routes = "));
    expect(JSON.parse(skip!.slice("skip_auth_routes = ".length))).toEqual([bypassPattern('/a"b\\c\n')]);
    expect(admittedGroups("no such line")).toEqual([]);
  });

  it("runs as a restricted, read-only pod whose secrets come from Bitwarden, rolled when its configuration changes", () => {
    const gate = nextcloudGate();
    const [configMap, secret, deployment, service] = ssoGateManifests(gate, "sso", domain);
    expect(configMap.metadata).toEqual({ name: "nextcloud-sso", namespace: "nextcloud", labels: { "homelab.io/service": "nextcloud", "homelab.io/auth-tier": "sso", "homelab.io/sso-gate": "nextcloud-sso" } });
    expect((secret.spec as { data: unknown }).data).toEqual([
      { secretKey: "client-secret", remoteRef: { key: "nextcloud-sso-client-secret" } },
      { secretKey: "cookie-secret", remoteRef: { key: "nextcloud-sso-cookie-secret" } },
    ]);
    const pod = (deployment.spec as { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> } }).template;
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const container = (pod.spec.containers as Record<string, unknown>[])[0];
    expect(container).toMatchObject({ image: "quay.io/oauth2-proxy/oauth2-proxy:v7.15.4", args: ["--config=/etc/oauth2-proxy/oauth2-proxy.cfg"], securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } });
    expect(container.env).toEqual([
      { name: "OAUTH2_PROXY_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "nextcloud-sso-secrets", key: "client-secret" } } },
      { name: "OAUTH2_PROXY_COOKIE_SECRET", valueFrom: { secretKeyRef: { name: "nextcloud-sso-secrets", key: "cookie-secret" } } },
    ]);
    const other = ssoGateManifests({ ...gate, allowedGroups: ["admin"] }, "sso", domain);
    expect((other[2].spec as typeof deployment.spec & { template: typeof pod }).template.metadata.annotations["checksum/config"]).not.toBe(pod.metadata.annotations["checksum/config"]);
    // A gate that admits admins alone is labelled the admin tier, whatever its entry's tier.
    expect(other[0].metadata.labels?.["homelab.io/auth-tier"]).toBe("admin");
    expect(service.spec).toMatchObject({ type: "ClusterIP", ports: [{ port: 4180, targetPort: "http" }] });
  });
});

describe("the route and the network policy of a gated entry", () => {
  it("send the admin paths and their sign-in prefix to the admin gate, everything else to the host's gate", () => {
    const route = httpRoute(vaultwarden, domain)!;
    expect((route.spec as { rules: unknown }).rules).toEqual([
      { matches: [{ path: { type: "PathPrefix", value: "/admin" } }, { path: { type: "PathPrefix", value: "/oauth2-admin" } }], backendRefs: [{ name: "vaultwarden-sso-admin", port: 4180 }] },
      { backendRefs: [{ name: "vaultwarden-sso", port: 4180 }] },
    ]);
    expect(routeBackend(route, "/admin/users")?.name).toBe("vaultwarden-sso-admin");
    expect(routeBackend(route, "/administrator")?.name).toBe("vaultwarden-sso");
    expect(routeBackend(route, "/oauth2-admin/callback?code=1")?.name).toBe("vaultwarden-sso-admin");
    expect(routeBackend(route, "/api")?.name).toBe("vaultwarden-sso");
  });

  it("let the Gateway reach the proxy's port only, or the app's too when only some paths are gated", () => {
    const ingress = (e: ServiceEntry) => (networkPolicy(e, { domain, cluster: "cloud" }).spec as { ingress: { fromEntities?: string[]; toPorts?: unknown }[] }).ingress.find((r) => r.fromEntities)?.toPorts;
    expect(ingress(vaultwarden)).toEqual([{ ports: [{ port: "4180", protocol: "TCP" }] }]);
    expect(ingress(byName("glance"))).toEqual([{ ports: [{ port: "8080", protocol: "TCP" }] }]);
    const nativeWithAdminPage: ServiceEntry = { ...byName("mealie"), exposure: { kind: "tunnel", subdomain: "recipes", port: 9000, adminPaths: [{ path: "/admin", why: "settings" }] } };
    expect(ingress(nativeWithAdminPage)).toEqual([{ ports: [{ port: "4180", protocol: "TCP" }, { port: "9000", protocol: "TCP" }] }]);
    expect(JSON.stringify(networkPolicy(nativeWithAdminPage, { domain, cluster: "cloud" }))).toContain("auth.homelab.example");
    expect(JSON.stringify(networkPolicy(byName("glance"), { domain, cluster: "cloud" }))).not.toContain("auth.homelab.example");
  });
});

describe("the access matrix's questions", () => {
  it("follow the catalog: the host by tier, every bypass and its near misses, every admin path", () => {
    const cases = matrixCases(vaultwarden);
    const row = (label: string) => cases.find((c) => c.label === label)?.expect;
    expect(row("/")).toEqual(["login", 403, 200, 200]);
    expect(row("/api (declared bypass)")).toEqual([200, 200, 200, 200]);
    expect(row("/apix (not the bypass)")).toEqual(["login", 403, 200, 200]);
    expect(row("/api/../ (climbs out)")).toEqual(["login", 403, 200, 200]);
    expect(row("/admin (admin path)")).toEqual(["login", 403, 403, 200]);
    expect(cases.find((c) => c.label === "POST /api/… (any method)")?.method).toBe("POST");
    expect(cases.find((c) => c.label.includes("X-Forwarded-Uri"))?.headers).toEqual({ "X-Forwarded-Uri": "/api" });
    expect(matrixCases(byName("lidarr")).map((c) => c.expect)).toEqual([
      ["login", 403, 403, 200],
      ["login", 403, 403, 200],
    ]);
    expect(matrixCases(byName("glance"))[0].expect).toEqual([200, 200, 200, 200]);
    expect(matrixCases(byName("adguard"))).toEqual([]);
  });

  it("route by whole path elements, as Gateway API's PathPrefix does", () => {
    expect(prefixMatches("/admin", "/admin")).toBe(true);
    expect(prefixMatches("/admin", "/admin/x?y=1")).toBe(true);
    expect(prefixMatches("/admin", "/admin?y=1")).toBe(true);
    expect(prefixMatches("/admin", "/administrator")).toBe(false);
    expect(prefixMatches("/", "/anything")).toBe(true);
  });
});
