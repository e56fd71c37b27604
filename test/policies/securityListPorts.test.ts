import { securityListPortsPolicy } from "../../policies/rules/securityListPorts";
import { PolicyConfig } from "../../plan/analyzer";
import { ResourceUnderPolicy, instance, resource, runPolicies, securityList, tcp, udp } from "./fixtures";

const admin = "203.0.113.10/32";
const anywhere = "0.0.0.0/0";
const config: PolicyConfig = {
  "security-list-declared-ports": {
    internalCidr: "10.0.0.0/16",
    declared: [
      { protocol: "tcp", port: 22, sources: [admin] },
      { protocol: "tcp", port: 443, sources: [admin] },
      { protocol: "udp", port: 50180, sources: [anywhere] },
      { protocol: "tcp", port: 8090, sources: [anywhere] },
    ],
  },
};
const check = (resources: ResourceUnderPolicy[], c: PolicyConfig = config) => runPolicies([securityListPortsPolicy], resources, c);

describe("security-list-declared-ports", () => {
  test("declared tcp and udp ports from their declared sources pass", async () => {
    expect(await check([securityList("sl", [tcp(22, admin), tcp(443, admin), udp(50180, anywhere), tcp(8090, anywhere)])])).toEqual([]);
  });

  test("protocol numbers given as numbers are understood too", async () => {
    expect(await check([securityList("sl", [{ protocol: 6 as unknown as string, source: admin, tcpOptions: { min: 22, max: 22 } }])])).toEqual([]);
  });

  test("anything from the internal CIDR passes, whatever the protocol or ports", async () => {
    expect(await check([securityList("sl", [{ protocol: "all", source: "10.0.0.0/16" }, tcp(5432, "10.0.0.0/16"), { protocol: "6", source: "10.0.0.0/16" }])])).toEqual([]);
  });

  test("an undeclared port fails", async () => {
    const violations = await check([securityList("omni-security", [tcp(22, admin), tcp(3389, anywhere)])]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "security-list-declared-ports", resource: "omni-security", level: "mandatory" });
    expect(violations[0].message).toContain("security list omni-security opens tcp 3389-3389 to 0.0.0.0/0, which the config does not declare");
  });

  test("a declared port from a non-declared source fails", async () => {
    const violations = await check([securityList("omni-security", [tcp(22, anywhere)])]);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
      "security-list-declared-ports: security list omni-security opens tcp 22-22 to 0.0.0.0/0, which the config does not declare",
    ]);
  });

  test("a declared port on the wrong protocol fails", async () => {
    const violations = await check([securityList("sl", [udp(22, admin)])]);
    expect(violations.map((v) => v.message)).toEqual(["security list sl opens udp 22-22 to 203.0.113.10/32, which the config does not declare"]);
  });

  test("a port range around a declared port fails", async () => {
    const violations = await check([securityList("sl", [{ protocol: "6", source: admin, tcpOptions: { min: 20, max: 25 } }])]);
    expect(violations.map((v) => v.message)).toEqual(["security list sl opens tcp 20-25 to 203.0.113.10/32, which the config does not declare"]);
  });

  test("a rule with no port range, or all protocols, from outside fails", async () => {
    const violations = await check([securityList("sl", [{ protocol: "6", source: admin }, { protocol: "all", source: admin }, { protocol: "1", source: anywhere }])]);
    expect(violations.map((v) => v.message)).toEqual([
      "security list sl opens tcp all ports to 203.0.113.10/32, which the config does not declare",
      "security list sl opens all all ports to 203.0.113.10/32, which the config does not declare",
      "security list sl opens 1 all ports to 0.0.0.0/0, which the config does not declare",
    ]);
  });

  test("with the default config (nothing declared, internal 10.0.0.0/16) only the VCN may reach in", async () => {
    expect(await check([securityList("sl", [{ protocol: "all", source: "10.0.0.0/16" }])], {})).toEqual([]);
    const violations = await check([securityList("sl", [tcp(22, admin)])], {});
    expect(violations.map((v) => v.message)).toEqual(["security list sl opens tcp 22-22 to 203.0.113.10/32, which the config does not declare"]);
  });

  test("a security list with no ingress rules passes; other resources are not checked", async () => {
    expect(await check([resource("oci:Core/securityList:SecurityList", "empty", {}), instance("i"), resource("oci:Core/vcn:Vcn", "vcn", { ingressSecurityRules: [tcp(1, anywhere)] })])).toEqual([]);
  });
});
