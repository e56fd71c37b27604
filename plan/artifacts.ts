// Every document the program generates, as the consuming tool reads it: one
// file per document under out/<stack>/, taken from what the program
// registered (so the files are exactly what a deploy would apply). Secret
// values never appear: they are "[secret]" in the recording, and fields that
// are wholly secret are left out of Kubernetes objects and named in an
// annotation instead.
import type { ServiceEntry } from "../services/entry";
import { volumeRestores } from "../components/backup/kubernetes";
import { parseAllDocuments, stringify } from "yaml";
import { valueAt } from "../policies/rules/kubernetesInputs";
import { SECRET } from "./mockRuntime";
import { RuleGroup, ruleTestsDocument } from "../components/monitoring/alerts";
import { lokiRulesConfigMap, lokiRulesFile } from "../components/monitoring/logRules";

export type ArtifactKind =
  | "omni-cluster-template"
  | "omni-machine-classes"
  | "talos-patch"
  | "compose-project"
  | "compose-env"
  | "cloud-init"
  | "kubernetes-object"
  | "helm-release"
  | "glance-config"
  | "squid-config"
  | "authentik-blueprint"
  | "omni-saml-label-rules"
  | "cloudflared-ingress"
  | "prometheus-rules"
  | "prometheus-rule-tests"
  | "alertmanager-config"
  | "alloy-config"
  | "grafana-dashboard"
  | "grafana-datasources"
  | "loki-rules"
  | "restore-object";

export interface Artifact {
  /** Relative to out/<stack>/. */
  path: string;
  kind: ArtifactKind;
  content: string;
  /** What a checker needs besides the file (cluster, versions, platform). */
  meta?: Record<string, string>;
}

/** What artifactsOf reads of a recorded resource. */
export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The stack's cluster: its name, versions and platform, for Talos checks. */
export interface ClusterFacts {
  name: string;
  talos: string;
  kubernetes: string;
  /** Talos validation mode: metal for Proxmox VMs, cloud for OCI. */
  talosMode: "metal" | "cloud";
}

export const redactedAnnotation = "homelab.io/redacted-fields";

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");
const yamlOf = (doc: unknown) => stringify(doc, { lineWidth: 0 });

/** apiVersion and kind from a Pulumi Kubernetes type token (kubernetes:cert-manager.io/v1:ClusterIssuer). */
export function kubernetesTypeOf(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m || m[1].startsWith("helm.sh/") || m[1].startsWith("yaml/") || type.startsWith("kubernetes:index")) return undefined;
  const [group, version] = m[1].split("/");
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind: m[2] };
}

/** A Kubernetes object as kubectl would read it, with wholly secret fields left out and named. */
export function kubernetesObject(type: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
  const t = kubernetesTypeOf(type);
  if (!t) return undefined;
  const redacted = Object.keys(inputs).filter((k) => inputs[k] === SECRET);
  const body = Object.fromEntries(Object.entries(inputs).filter(([k]) => !redacted.includes(k) && k !== "apiVersion" && k !== "kind"));
  const metadata = { ...((body.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (redacted.length > 0) metadata.annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}), [redactedAnnotation]: redacted.join(",") };
  return { apiVersion: t.apiVersion, kind: t.kind, ...body, metadata };
}

/** The file a deploy script writes through a heredoc into a path ending in `file` (sudo tee <path> <<'HOMELAB_EOF'). */
export function fileFromDeployScript(script: string, file: string): string | undefined {
  for (const m of script.matchAll(/^(.*)<<'HOMELAB_EOF'\n([\s\S]*?)\nHOMELAB_EOF$/gm)) {
    const target = /tee\s+(\S+)/.exec(m[1])?.[1]?.replace(/^'|'$/g, "");
    if (target === file || target?.endsWith(`/${file}`)) return `${m[2]}\n`;
  }
  return undefined;
}

export function artifactsOf(resources: Recorded[], cluster: ClusterFacts): Artifact[] {
  const out: Artifact[] = [];
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const clusterName = cluster.name;
  for (const r of resources) {
    const create = str(r.inputs.create) ?? "";
    if (r.type === "command:local:Command" && create.includes("omnictl cluster template sync")) {
      const text = str(r.inputs.stdin);
      if (!text) continue;
      out.push({ path: `omni/${clusterName}/cluster-template.yaml`, kind: "omni-cluster-template", content: text, meta: { cluster: clusterName } });
      const docs = parseAllDocuments(text).map((d) => d.toJSON() as Record<string, unknown>);
      const patches = docs.flatMap((d) => ((d.patches as { name: string; inline: object }[] | undefined) ?? []).map((p) => ({ ...p, kind: String(d.kind) })));
      for (const p of patches) {
        out.push({
          path: `talos/${clusterName}/${safeName(p.kind.toLowerCase())}-${safeName(p.name)}.yaml`,
          kind: "talos-patch",
          content: yamlOf(p.inline),
          meta: { cluster: clusterName, talos: cluster.talos, kubernetes: cluster.kubernetes, mode: cluster.talosMode },
        });
      }
    } else if (r.type === "command:local:Command" && create.includes("omnictl apply") && str(r.inputs.stdin)?.includes("SAMLLabelRules.omni.sidero.dev")) {
      out.push({ path: "omni/saml-label-rules.yaml", kind: "omni-saml-label-rules", content: str(r.inputs.stdin) ?? "" });
    } else if (r.type === "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig") {
      // The tunnel's ingress as cloudflared's own config file spells it, for `cloudflared tunnel ingress validate|rule`.
      const ingress = (r.inputs.config as { ingresses?: unknown[] } | undefined)?.ingresses ?? [];
      out.push({ path: `cloudflared/${safeName(r.name)}.yaml`, kind: "cloudflared-ingress", content: yamlOf({ ingress }) });
    } else if (r.type === "command:local:Command" && create.includes("omnictl apply")) {
      const text = str(r.inputs.stdin);
      if (text) out.push({ path: `omni/${clusterName}/machine-classes.yaml`, kind: "omni-machine-classes", content: text });
    } else if (r.type === "command:remote:Command" && create.includes("docker compose up")) {
      const compose = fileFromDeployScript(create, "compose.yaml");
      if (!compose) continue;
      out.push({ path: "compose/compose.yaml", kind: "compose-project", content: compose });
      const squid = fileFromDeployScript(create, "squid.conf");
      if (squid) out.push({ path: "compose/egress-proxy/squid.conf", kind: "squid-config", content: squid });
      const blueprint = fileFromDeployScript(create, "homelab.yaml");
      if (blueprint) out.push({ path: "compose/authentik/blueprints/homelab.yaml", kind: "authentik-blueprint", content: blueprint });
      // The VM's own Alloy (its logs and metrics to prod): read by Alloy's parser like the clusters'.
      const vmAlloy = fileFromDeployScript(create, "config.alloy");
      if (vmAlloy) out.push({ path: "compose/monitoring/config.alloy", kind: "alloy-config", content: vmAlloy, meta: { host: "management-vm" } });
      // The VM's .env holds the values; here every variable the file requires is present, as a marker.
      const vars = [...new Set([...compose.matchAll(/\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}/g)].map((m) => m[1]))].sort();
      out.push({ path: "compose/.env", kind: "compose-env", content: vars.map((v) => `${v}=${SECRET}\n`).join("") });
    } else if (r.type === "oci:Core/instance:Instance") {
      const userData = str((r.inputs.metadata as Record<string, unknown> | undefined)?.user_data);
      if (userData && userData !== SECRET) out.push({ path: `cloud-init/${safeName(str(r.inputs.displayName) ?? r.name)}.yaml`, kind: "cloud-init", content: Buffer.from(userData, "base64").toString("utf8") });
    } else if (r.type === "kubernetes:helm.sh/v3:Release") {
      const { values, ...release } = r.inputs;
      out.push({ path: `helm/${safeName(`${clusterName}-${str(release.name) ?? r.name}`)}.yaml`, kind: "helm-release", content: yamlOf({ ...release, values }), meta: { chart: String(release.chart ?? "") } });
    } else {
      const obj = kubernetesObject(r.type, r.inputs);
      if (!obj) continue;
      const meta = obj.metadata as { name?: string; namespace?: string };
      const ns = meta.namespace ? `${meta.namespace}-` : "";
      out.push({ path: `kubernetes/${safeName(String(obj.kind).toLowerCase())}-${safeName(ns + (meta.name ?? r.name))}.yaml`, kind: "kubernetes-object", content: yamlOf(obj), meta: { apiVersion: String(obj.apiVersion), kind: String(obj.kind) } });
      // The family dashboard's configuration, as its Application carries it: served and opened in a browser by verify.
      const files = obj.kind === "Application" ? (valueAt(obj, "spec.source.helm.valuesObject.configMaps.config.data") as Record<string, unknown> | undefined) : undefined;
      const glance = str(files?.["glance.yml"]);
      if (glance) out.push({ path: "glance/glance.yml", kind: "glance-config", content: glance });
      // The Loki ruler's rules, as their ConfigMap carries them: Loki's LogQL parser reads them in verify.
      const lokiRules = obj.kind === "ConfigMap" && meta.name === lokiRulesConfigMap ? str((obj.data as Record<string, unknown> | undefined)?.[lokiRulesFile]) : undefined;
      if (lokiRules) out.push({ path: "monitoring/loki-rules.yaml", kind: "loki-rules", content: lokiRules });
      // The alert rules and Alertmanager's configuration, as the monitoring Application carries them: promtool and amtool read these.
      const rules = obj.kind === "Application" ? valueAt(obj, "spec.source.helm.valuesObject.additionalPrometheusRulesMap.homelab") : undefined;
      const routing = obj.kind === "Application" ? valueAt(obj, "spec.source.helm.valuesObject.alertmanager.config") : undefined;
      if (rules) out.push({ path: "monitoring/rules.yaml", kind: "prometheus-rules", content: yamlOf(rules) });
      if (routing) out.push({ path: "monitoring/alertmanager.yaml", kind: "alertmanager-config", content: yamlOf(routing) });
      // Alloy's configuration, as its Application carries it: Alloy's parser reads it in verify.
      const alloy = obj.kind === "Application" ? str(valueAt(obj, "spec.source.helm.valuesObject.alloy.configMap.content")) : undefined;
      if (alloy) out.push({ path: "monitoring/config.alloy", kind: "alloy-config", content: alloy });
      // Grafana's provisioned datasources and dashboards, as its Application carries them.
      const dashboards = obj.kind === "Application" ? (valueAt(obj, "spec.source.helm.valuesObject.dashboards.homelab") as Record<string, { json?: string }> | undefined) : undefined;
      for (const [uid, d] of Object.entries(dashboards ?? {})) if (d.json) out.push({ path: `grafana/${safeName(uid)}.json`, kind: "grafana-dashboard", content: d.json });
      const sources = obj.kind === "Application" ? (valueAt(obj, "spec.source.helm.valuesObject.datasources") as Record<string, unknown> | undefined)?.["datasources.yaml"] : undefined;
      if (sources) out.push({ path: "grafana/datasources.yaml", kind: "grafana-datasources", content: yamlOf(sources) });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** promtool's unit tests of the rules (written beside monitoring/rules.yaml, which the monitoring Application carries). */
/** The restore runbook's objects (docs/runbooks/restore.md): one VolSync ReplicationDestination per critical volume, applied by hand. */
export function restoreArtifacts(entries: readonly ServiceEntry[]): Artifact[] {
  return volumeRestores(entries).map((m) => ({ path: `restore/${m.metadata.namespace}-${m.metadata.name}.yaml`, kind: "restore-object", content: yamlOf(m), meta: { apiVersion: m.apiVersion, kind: m.kind } }));
}

export function ruleTestsArtifact(groups: readonly RuleGroup[]): Artifact {
  return { path: "monitoring/rules.test.yaml", kind: "prometheus-rule-tests", content: yamlOf(ruleTestsDocument(groups, "rules.yaml")) };
}
