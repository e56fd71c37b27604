import { ssoRoutesPolicy } from "../../policies/rules/ssoRoutes";
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { PolicyConfig } from "../../plan/analyzer";
import { ResourceUnderPolicy, resource, runPolicies } from "./fixtures";

const gates = {
  "sso-routes-gated": {
    gates: [
      { namespace: "lidarr", name: "lidarr-sso", admits: ["admin"] },
      { namespace: "vault", name: "vault-sso", admits: ["family-validated", "admin"] },
      { namespace: "vault", name: "vault-sso-admin", admits: ["admin"] },
    ],
  },
};
const check = async (resources: ResourceUnderPolicy[], config: PolicyConfig = gates) => (await runPolicies([ssoRoutesPolicy], resources, config)).map((v) => v.message);
type Rule = { matches?: object[]; backendRefs: Record<string, unknown>[] };
const route = (name: string, tier: string, rules: Rule[]) =>
  resource(types.httpRoute, name, { metadata: { name, namespace: name, labels: { "homelab.io/auth-tier": tier } }, spec: { rules } });
const to = (name: string, extra: Record<string, unknown> = {}) => ({ backendRefs: [{ name, port: 4180, ...extra }] });
const adminPath = { matches: [{ path: { type: "PathPrefix", value: "/admin" } }] };

describe("sso-routes-gated", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(ssoRoutesPolicy);
  });

  test("passes admin and sso routes whose every backend is a fitting gate, and routes of other tiers", async () => {
    expect(
      await check([
        route("lidarr", "admin", [to("lidarr-sso")]),
        route("vault", "sso", [{ ...adminPath, ...to("vault-sso-admin") }, to("vault-sso")]),
        route("home", "public", [to("glance")]),
        route("books", "native", [to("audiobookshelf")]),
      ]),
    ).toEqual([]);
  });

  test("fails a route straight to the app, around its gate", async () => {
    expect(await check([route("lidarr", "admin", [to("lidarr")])])).toEqual([
      "HTTPRoute lidarr (tier admin) sends to lidarr/lidarr, which is not an SSO gate of this stack; expected every backend to be a gate (oauth2-proxy) so only signed-in members get through",
    ]);
    expect(await check([route("vault", "sso", [{ ...adminPath, ...to("vault-sso-admin") }, to("vaultwarden")])])).toEqual([
      "HTTPRoute vault (tier sso) sends to vault/vaultwarden, which is not an SSO gate of this stack; expected every backend to be a gate (oauth2-proxy) so only signed-in members get through",
    ]);
  });

  test("fails a gate of another namespace, or any backend without a config", async () => {
    expect(await check([route("lidarr", "admin", [to("lidarr-sso", { namespace: "other" })])])).toEqual([
      "HTTPRoute lidarr (tier admin) sends to other/lidarr-sso, which is not an SSO gate of this stack; expected every backend to be a gate (oauth2-proxy) so only signed-in members get through",
    ]);
    expect(await check([route("lidarr", "admin", [to("lidarr-sso")])], {})).toHaveLength(1);
  });

  test("fails an admin route whose gate admits the family, or nobody", async () => {
    const loose = { "sso-routes-gated": { gates: [{ namespace: "lidarr", name: "lidarr-sso", admits: ["family-validated", "admin"] }] } };
    expect(await check([route("lidarr", "admin", [to("lidarr-sso")])], loose)).toEqual([
      "HTTPRoute lidarr (tier admin) sends to gate lidarr/lidarr-sso, which admits family-validated, admin; expected group admin only",
    ]);
    const none = { "sso-routes-gated": { gates: [{ namespace: "lidarr", name: "lidarr-sso", admits: [] }] } };
    expect(await check([route("lidarr", "admin", [to("lidarr-sso")])], none)).toEqual(["HTTPRoute lidarr (tier admin) sends to gate lidarr/lidarr-sso, which admits nobody; expected group admin only"]);
  });

  test("fails an sso route whose catch-all gate admits another group or nobody; a stricter path gate is fine", async () => {
    const wide = { "sso-routes-gated": { gates: [{ namespace: "vault", name: "vault-sso", admits: ["family-validated", "guests"] }] } };
    expect(await check([route("vault", "sso", [to("vault-sso")])], wide)).toEqual([
      "HTTPRoute vault (tier sso) sends everything else to gate vault/vault-sso, which admits family-validated, guests; expected some of family-validated, admin and nothing more",
    ]);
    const none = { "sso-routes-gated": { gates: [{ namespace: "vault", name: "vault-sso", admits: [] }] } };
    expect(await check([route("vault", "sso", [to("vault-sso")])], none)).toEqual([
      "HTTPRoute vault (tier sso) sends everything else to gate vault/vault-sso, which admits nobody; expected some of family-validated, admin and nothing more",
    ]);
    expect(await check([route("vault", "sso", [{ matches: [], ...to("vault-sso-admin") }])])).toEqual([]);
  });

  test("fails a gated route without backends", async () => {
    expect(await check([route("lidarr", "admin", [])])).toEqual(["HTTPRoute lidarr (tier admin) has no backend; expected its SSO gate"]);
    expect(await check([resource(types.deployment, "web", { metadata: { labels: { "homelab.io/auth-tier": "admin" } } })])).toEqual([]);
  });
});
