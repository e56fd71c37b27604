// Renders a plan as the readable text `npm run plan` prints.
import { describeChanges } from "./identity";
import { Plan } from "./plan";
import { resourceRow } from "../components/twingate/model";

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

export function renderPlan(plan: Omit<Plan, "artifacts" | "policyConfig">): string {
  const lines: string[] = [];
  const total = Object.values(plan.resourceCounts).reduce((a, b) => a + b, 0);
  lines.push(`== stack ${plan.stack}: ${plan.components.length} components, ${total} resources`);
  lines.push("", "Components:");
  for (const c of plan.components) lines.push(`  ${pad(c.type, 34)} ${c.name}`);
  lines.push("", "Resources by type:");
  for (const [type, n] of Object.entries(plan.resourceCounts).sort()) lines.push(`  ${pad(String(n), 4)} ${type}`);
  if (plan.capacity.length > 0) {
    lines.push("", "Capacity vs allocation:");
    for (const c of plan.capacity) {
      const flag = c.allocated > c.capacity ? (c.unit.includes("overcommit") ? "  (overcommitted)" : "  OVER") : "";
      lines.push(`  ${pad(c.pool, 48)} ${pad(c.resource, 26)} ${String(c.allocated).padStart(4)} / ${String(c.capacity).padEnd(4)} ${c.unit}${flag}`);
    }
  }
  if (plan.charts.length > 0) {
    lines.push("", "Charts by wave (pinned versions):");
    for (const c of plan.charts) lines.push(`  wave ${c.wave}  ${pad(c.resource, 26)} ${pad(`${c.chart} ${c.version}`, 52)} on ${c.cluster}, via ${c.via}`);
  }
  if (plan.services.length > 0) {
    lines.push("", "Services (catalog entries on this stack):");
    lines.push(`  ${pad("service", 16)} ${pad("tier", 7)} ${pad("address", 28)} ${pad("backup", 9)} ${pad("requests", 18)} ${pad("limits", 18)} storage`);
    for (const s of plan.services) {
      if (s.skipped) {
        lines.push(`  ${pad(s.name, 16)} skipped here: ${s.skipped}`);
        continue;
      }
      const q = (r: { memoryMiB: number; milliCpu: number }) => `${r.memoryMiB} MiB ${r.milliCpu}m`;
      lines.push(`  ${pad(s.name, 16)} ${pad(s.tier, 7)} ${pad(s.address, 28)} ${pad(s.backup, 9)} ${pad(q(s.requests), 18)} ${pad(q(s.limits), 18)} ${s.storage.join(", ") || "-"}`);
    }
    const reading = plan.services.filter((s) => s.bitwarden.length > 0);
    if (reading.length > 0) {
      lines.push("", "Bitwarden secrets the services read (create them in the Secrets Manager project, by these names, before deploying):");
      for (const s of reading) lines.push(`  ${pad(s.name, 16)} ${s.bitwarden.join(", ")}`);
    }
    const generated = plan.services.filter((s) => s.generated.length > 0);
    if (generated.length > 0) {
      lines.push("", "Bitwarden secrets the services read that the cloud stack generates and writes (nothing to create):");
      for (const s of generated) lines.push(`  ${pad(s.name, 16)} ${s.generated.join(", ")}`);
    }
  }
  if (plan.publicHostnames.length > 0) {
    lines.push("", "Public hostnames (every one through a Cloudflare tunnel; DNS records and routes owned by this stack):");
    lines.push(`  ${pad("hostname", 30)} ${pad("tier", 7)} ${pad("tunnel", 7)} who may enter`);
    for (const r of plan.publicHostnames) {
      const extra = [r.adminPaths.length ? `admin only: ${r.adminPaths.join(", ")}` : "", r.bypassSso.length ? `own login: ${r.bypassSso.join(", ")}` : ""].filter(Boolean).join("; ");
      lines.push(`  ${pad(r.hostname, 30)} ${pad(r.tier, 7)} ${pad(r.tunnel, 7)} ${r.admits}${extra ? ` (${extra})` : ""}`);
    }
  }
  if (plan.privateResources.length > 0) {
    lines.push("", "Twingate resources (reached through the home connectors; no port open at home):");
    lines.push(`  ${pad("resource", 16)} ${pad("address (on a client)", 36)} ${pad("ports", 30)} who may use it`);
    for (const row of plan.privateResources.map(resourceRow)) {
      lines.push(`  ${pad(row.resource, 16)} ${pad(row.address, 36)} ${pad(row.ports, 30)} ${row.who}${row.reaches !== row.address ? ` (connectors reach ${row.reaches})` : ""}`);
    }
  }
  if (plan.prometheusStorage) {
    const p = plan.prometheusStorage;
    lines.push("", `Prometheus keeps ${p.retentionDays} days of metrics, at most ${p.retentionGb} GB of its ${p.sizeGi} Gi volume (the oldest go first when either is reached).`);
  }
  if (plan.lokiStorage) {
    const l = plan.lokiStorage;
    lines.push("", `Loki keeps ${l.retentionDays} days of every cluster's logs on its ${l.sizeGi} Gi volume (its compactor deletes older ones).`);
  }
  if (plan.probes.length > 0) {
    lines.push("", `Service probes (${plan.probes.length}, once a minute; ServiceDown reads probe_success{job="services"}):`);
    for (const p of plan.probes) lines.push(`  ${pad(p.service, 16)} ${pad(p.url, 64)} ${p.prober}`);
    const scraped = plan.probes.filter((p) => p.metrics);
    if (scraped.length > 0) {
      lines.push("", `Services' own metrics (${scraped.length}, read inside the cluster once a minute, job="service-metrics"):`);
      for (const p of scraped) lines.push(`  ${pad(p.service, 16)} ${p.metrics}`);
    }
  }
  if (plan.alerts.length > 0) {
    lines.push("", `Alert rules (${plan.alerts.length}; each metric rule with a unit test that fires and one that stays silent, each log rule run over sample lines: npm run verify):`);
    lines.push(`  ${pad("alert", 26)} ${pad("group", 13)} ${pad("severity", 9)} ${pad("for", 4)} receiver`);
    for (const a of plan.alerts) lines.push(`  ${pad(a.alert, 26)} ${pad(a.group, 13)} ${pad(a.severity, 9)} ${pad(a.for, 4)} ${a.receiver}`);
  }
  const bk = plan.backups;
  lines.push("", `Backups by class (offsite to the ${bk.store.provider.toUpperCase()} bucket ${bk.store.bucket} at ${bk.store.endpoint}):`);
  lines.push(`  ${pad("class", 9)} ${pad("service", 15)} ${pad("item", 30)} ${pad("size", 7)} ${pad("retention", 29)} where`);
  for (const r of bk.rows) lines.push(`  ${pad(r.class, 9)} ${pad(r.service, 15)} ${pad(r.item, 30)} ${pad(r.sizeGi ? `${r.sizeGi} Gi` : "-", 7)} ${pad(r.retention, 29)} ${r.where}`);
  lines.push(
    bk.freeGb === undefined
      ? `  Offsite, this stack: up to ${bk.offsiteGi} Gi (the claims' sizes), billed by the store.`
      : `  Offsite, this stack: up to ${bk.offsiteGi} Gi (the claims' sizes) of the ${bk.freeGb} GB Always Free allowance the three stacks share${bk.offsiteGi > bk.freeGb ? ": MORE than the allowance if the volumes fill up (docs/architecture.md, Backups)" : ""}.`,
  );
  for (const b of plan.budget) {
    lines.push("", `Requests on cluster ${b.cluster} (free after the services reserve: ${b.freeMiB} MiB):`);
    for (const item of b.items) lines.push(`  ${pad(item.resource, 92)} ${String(Math.ceil(item.memoryMiB)).padStart(5)} MiB ${String(Math.ceil(item.milliCpu)).padStart(5)} mCPU`);
  }
  lines.push("", plan.placeholders.length > 0 ? `Placeholders to fill in before a real deploy (${plan.placeholders.length}):` : "Placeholders: none");
  for (const p of plan.placeholders) lines.push(`  ${p.key} = ${p.value}${p.note ? `  (${p.note})` : ""}`);
  lines.push("", `Stack outputs: ${plan.outputs.join(", ") || "none"}`);
  const changes = plan.identityChanges;
  const risky = (changes ?? []).filter((c) => c.kind === "deleted" || c.kind === "replaced");
  if (changes === null) lines.push("", "Identity: no committed snapshot to compare with (`npm run plan -- --accept-identity` records one)");
  else if (changes.length === 0) lines.push("", "Identity: as in the committed snapshot (nothing deleted, replaced or renamed)");
  else {
    lines.push("", `Identity against the committed snapshot: ${changes.length} change(s)${risky.length > 0 ? `, ${risky.length} that DELETE or REPLACE a resource` : ""}:`);
    lines.push(...describeChanges(changes).split("\n").map((l) => `  ${l}`));
  }
  const mandatory = plan.violations.filter((v) => v.level === "mandatory");
  lines.push("", plan.violations.length === 0 ? "Policies (first preview and deployed state) and plan checks: all passed" : `Policy violations (${mandatory.length} mandatory):`);
  for (const v of plan.violations) lines.push(`  [${v.level}] ${v.policy}${v.resource ? ` (${v.resource})` : ""} [${v.phases.join(", ")}]: ${v.message}`);
  return lines.join("\n");
}
