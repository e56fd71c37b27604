import { adminRoutesPolicy } from "../../policies/rules/adminRoutes";
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, resource, runPolicies } from "./fixtures";

const proxy = { "admin-routes-guarded": { ssoProxy: { namespace: "sso", name: "oauth2-proxy" } } };
const check = async (resources: ResourceUnderPolicy[], config = {}) => (await runPolicies([adminRoutesPolicy], resources, config)).map((v) => v.message);
const route = (name: string, tier: string, backends: Record<string, unknown>[][]) =>
  resource(types.httpRoute, name, { metadata: { name, namespace: name, labels: { "homelab.io/auth-tier": tier } }, spec: { rules: backends.map((backendRefs) => ({ backendRefs })) } });

describe("admin-routes-guarded", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(adminRoutesPolicy);
  });

  test("passes an admin route whose every backend is the SSO proxy, and routes of other tiers", async () => {
    const guarded = route("lidarr", "admin", [[{ name: "oauth2-proxy", namespace: "sso", port: 80 }], [{ name: "oauth2-proxy", namespace: "sso", port: 80 }]]);
    expect(await check([guarded, route("vault", "sso", [[{ name: "vaultwarden", port: 80 }]]), route("home", "public", [[{ name: "glance", port: 8080 }]])], proxy)).toEqual([]);
  });

  test("fails an admin route straight to the app, or with one rule that is", async () => {
    expect(await check([route("lidarr", "admin", [[{ name: "lidarr", port: 8686 }]])], proxy)).toEqual([
      "HTTPRoute lidarr (tier admin) sends to lidarr/lidarr; expected the SSO proxy sso/oauth2-proxy, so only group admin gets through",
    ]);
    expect(await check([route("grafana", "admin", [[{ name: "oauth2-proxy", namespace: "sso" }], [{ name: "oauth2-proxy", port: 80 }]])], proxy)).toEqual([
      "HTTPRoute grafana (tier admin) sends to grafana/oauth2-proxy; expected the SSO proxy sso/oauth2-proxy, so only group admin gets through",
    ]);
  });

  test("fails an admin route without backends", async () => {
    expect(await check([route("lidarr", "admin", [])], proxy)).toEqual(["HTTPRoute lidarr (tier admin) has no backend; expected the SSO proxy sso/oauth2-proxy"]);
  });

  test("without a proxy in the config, any admin route fails", async () => {
    expect(await check([route("lidarr", "admin", [[{ name: "oauth2-proxy", namespace: "sso" }]])])).toEqual([
      "HTTPRoute lidarr (tier admin) exists, but no SSO proxy is configured; expected no route for an admin app until the proxy that admits group admin fronts it",
    ]);
    expect(await check([resource(types.deployment, "web", { metadata: { labels: { "homelab.io/auth-tier": "admin" } } })])).toEqual([]);
  });
});
