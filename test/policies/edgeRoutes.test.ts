import { adminAccessPolicy, edgeRoutesPolicy } from "../../policies/rules/edgeRoutes";
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { PolicyConfig } from "../../plan/analyzer";
import { ResourceUnderPolicy, resource, runPolicies, unknown } from "./fixtures";

const edge = { hostnames: ["auth.example.org", "vault.example.org", "lidarr.example.org"], adminTargets: ["lidarr.example.org", "vault.example.org/admin"], group: "admin" };
const config: PolicyConfig = { "public-hostnames-routed-once": edge, "admin-hostnames-behind-access": edge };
const tunnel = (name: string, hostnames: string[], catchAll = true) =>
  resource(types.tunnelConfig, name, { config: { ingresses: [...hostnames.map((hostname) => ({ hostname, service: "http://gw:80" })), ...(catchAll ? [{ service: "http_status:404" }] : [])] } });
const record = (name: string) => resource(types.dnsRecord, `dns-${name}`, { name, type: "CNAME", content: unknown, proxied: true, ttl: 1 });
const app = (name: string, uri: string, policies: object[] = [{ id: unknown, precedence: 1 }]) => resource(types.accessApplication, name, { type: "self_hosted", destinations: [{ type: "public", uri }], policies });
const policy = (includes: object[], decision = "allow") => resource(types.accessPolicy, "admins", { decision, includes });
const admins = policy([{ oidc: { claimName: "groups", claimValue: "admin", identityProviderId: unknown } }]);

const good: ResourceUnderPolicy[] = [
  tunnel("mgmt", ["auth.example.org"]),
  tunnel("cloud", ["lidarr.example.org", "vault.example.org"]),
  record("auth.example.org"),
  record("vault.example.org"),
  record("lidarr.example.org"),
  app("lidarr", "lidarr.example.org"),
  app("vault-admin", "vault.example.org/admin"),
  admins,
];
const messages = async (policies: typeof allPolicies, resources: ResourceUnderPolicy[]) => (await runPolicies(policies, resources, config)).map((v) => v.message);

describe("public-hostnames-routed-once", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(edgeRoutesPolicy);
  });

  test("passes one route and one record per hostname, tunnels ending in a catch-all", async () => {
    expect(await messages([edgeRoutesPolicy], good)).toEqual([]);
  });

  test("fails a hostname routed twice or recorded twice, and one routed or recorded nowhere", async () => {
    const twice = [...good, tunnel("prod", ["vault.example.org"]), record("lidarr.example.org")];
    expect(await messages([edgeRoutesPolicy], twice)).toEqual(["vault.example.org has 2 tunnel routes; expected exactly one", "lidarr.example.org has 2 DNS records; expected exactly one"]);
    const missing = good.filter((r) => r.name !== "dns-vault.example.org" && r.name !== "mgmt");
    expect(await messages([edgeRoutesPolicy], missing)).toEqual([
      "auth.example.org has 0 tunnel routes; expected exactly one",
      "vault.example.org has 0 DNS records; expected exactly one",
      "vault.example.org is routed by a tunnel but has no DNS record; expected a proxied CNAME to its tunnel",
      "auth.example.org has a DNS record but no tunnel route; expected a route for it, or no record",
    ]);
  });

  test("fails a stray record or route outside the catalog, and a tunnel without a catch-all", async () => {
    expect(await messages([edgeRoutesPolicy], [...good, record("old.example.org"), tunnel("extra", ["x.example.org"], false)])).toEqual([
      "x.example.org is routed by a tunnel but has no DNS record; expected a proxied CNAME to its tunnel",
      "old.example.org has a DNS record but no tunnel route; expected a route for it, or no record",
      "tunnel config extra does not end in a catch-all; expected a last rule without hostname or path (http_status:404)",
    ]);
  });
});

describe("admin-hostnames-behind-access", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(adminAccessPolicy);
  });

  test("passes Access applications for every admin hostname and path, with the admins' policy", async () => {
    expect(await messages([adminAccessPolicy], good)).toEqual([]);
  });

  test("fails an admin path without an application, and an application without a policy", async () => {
    expect(await messages([adminAccessPolicy], good.filter((r) => r.name !== "vault-admin"))).toEqual([
      "vault.example.org/admin is an admin hostname or path without a Cloudflare Access application; expected one whose destination is vault.example.org/admin",
    ]);
    expect(await messages([adminAccessPolicy], [...good.filter((r) => r.name !== "lidarr"), app("lidarr", "lidarr.example.org", [])])).toEqual([
      "Access application lidarr for lidarr.example.org has no policy; expected the admins' policy",
    ]);
  });

  test("fails an Access policy that lets in everyone, another group, or also someone else", async () => {
    const others = [
      policy([{ everyone: {} }]),
      policy([{ oidc: { claimName: "groups", claimValue: "family-validated", identityProviderId: "x" } }]),
      policy([{ oidc: { claimName: "groups", claimValue: "admin", identityProviderId: "x" }, email: { email: "a@b.c" } }]),
      policy([]),
      policy([{ oidc: { claimName: "groups", claimValue: "admin", identityProviderId: "x" } }], "bypass"),
    ];
    for (const p of others) {
      expect(await messages([adminAccessPolicy], [...good.filter((r) => r.type !== types.accessPolicy), p])).toEqual([expect.stringMatching(/^Access policy admins admits .*; expected allow for the groups claim admin alone$/)]);
    }
  });
});
