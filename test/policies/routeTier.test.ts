import { allPolicies } from "../../policies/rules";
import { routeTierPolicy } from "../../policies/rules/routeTier";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, resource, runPolicies } from "./fixtures";

const check = async (resources: ResourceUnderPolicy[]) => (await runPolicies([routeTierPolicy], resources)).map((v) => v.message);
const route = (name: string, labels?: Record<string, unknown>) =>
  resource(types.httpRoute, name, { metadata: { name, namespace: name, ...(labels ? { labels } : {}) }, spec: { hostnames: [`${name}.homelab.example`] } });

describe("route-auth-tier", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(routeTierPolicy);
  });

  test.each(["sso", "native", "admin", "public"])("passes for a route of tier %s", async (tier) => {
    expect(await check([route("vault", { "homelab.io/auth-tier": tier })])).toEqual([]);
  });

  test("a route without a tier fails, by name", async () => {
    expect(await check([route("vault"), route("photos", { "homelab.io/service": "immich" })])).toEqual([
      "HTTPRoute vault has no label homelab.io/auth-tier; expected one of sso, native, admin, public",
      "HTTPRoute photos has no label homelab.io/auth-tier; expected one of sso, native, admin, public",
    ]);
  });

  test("a tier that is not one fails with the value it has", async () => {
    expect(await check([route("vault", { "homelab.io/auth-tier": "family" })])).toEqual([
      'HTTPRoute vault has "family" in label homelab.io/auth-tier; expected one of sso, native, admin, public',
    ]);
  });

  test("other resources are not judged", async () => {
    expect(await check([resource(types.persistentVolumeClaim, "data", { metadata: { name: "data" } })])).toEqual([]);
  });
});
