// The Loki ruler's rules: what they select, what they feed, where the file
// goes (the Loki add-on's mount is clusterPlatform.test.ts's).
import { parse } from "yaml";
import { authentikEvents, failedSignInBurst, logAlertTable, logAlerts, lokiRulesConfigMap, lokiRulesDocument, lokiRulesFile, lokiRulesManifest } from "../../components/monitoring/logRules";
import { homelabMetrics, managementVm, monitoringNamespace } from "../../components/monitoring/metrics";
import { ruleGroups } from "../../components/monitoring/alerts";
import { catalog } from "../../services";

describe("the Loki ruler's rules", () => {
  it("reads Authentik's event lines from the management VM's server container", () => {
    expect(authentikEvents).toBe(`{host="${managementVm.host}", container="authentik-server"} |= "Created Event" | json | event="Created Event"`);
  });

  it("alerts on a burst of failed sign-ins, critical, and records every sign-in by user and address for Prometheus", () => {
    const [group] = lokiRulesDocument().groups as { name: string; rules: Record<string, unknown>[] }[];
    expect(group.rules).toEqual([
      {
        alert: "AuthentikSignInFailures",
        expr: `sum(count_over_time(${authentikEvents} | action="login_failed" [10m])) >= ${failedSignInBurst}`,
        for: "0m",
        labels: { severity: "critical" },
        annotations: { summary: expect.stringContaining("failed sign-ins to Authentik in 10 minutes") },
      },
      { record: homelabMetrics.authentikSignIns, expr: `sum by (user_username, client_ip) (count_over_time(${authentikEvents} | action="login" [5m]))` },
    ]);
  });

  it("feeds the new-address alerts, which read the recorded series by its two labels", () => {
    const security = ruleGroups(catalog).find((g) => g.name === "security");
    expect(security?.rules.map((r) => r.alert)).toEqual(["AdminSignInFromNewAddress", "SignInFromNewAddress"]);
    for (const r of security?.rules ?? []) expect(r.expr).toContain(`unless on (user_username, client_ip) max_over_time(${homelabMetrics.authentikSignIns}[30d] offset 15m)`);
  });

  it("is a ConfigMap in the monitoring namespace holding the file as YAML", () => {
    const m = lokiRulesManifest() as unknown as { data: Record<string, string> };
    expect(m).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: lokiRulesConfigMap, namespace: monitoringNamespace, labels: { "app.kubernetes.io/part-of": "homelab-monitoring" } },
      data: { [lokiRulesFile]: expect.any(String) },
    });
    expect(parse(m.data[lokiRulesFile])).toEqual(lokiRulesDocument());
    expect(lokiRulesDocument().groups.map((g) => g.name)).toEqual(["authentik", "backups"]);
  });

  it("shows each log alert in the plan's table with its receiver", () => {
    expect(logAlertTable((s) => `to ${s}`)).toEqual(logAlerts.map((a) => ({ alert: a.alert, group: "security-logs", severity: a.severity, for: a.for, receiver: `to ${a.severity}` })));
  });
});
