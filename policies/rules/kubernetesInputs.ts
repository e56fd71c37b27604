// What the Kubernetes policies share: Kubernetes quantities, dot paths into
// chart values, what a Helm Release or an Argo CD Application installs, image
// references, and the containers of raw workloads. The analyzer hands
// policies secrets decrypted and guards unknown values: reading one during a
// preview stops the policy with an advisory "can't run during preview".
import { PolicyConfigSchema } from "@pulumi/policy";
import { ChartDeclaration, ChartsConfig } from "../../contract/policyConfig";
import { types } from "./types";

export type { ChartDeclaration, ChartWorkload, ChartsConfig } from "../../contract/policyConfig";

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** Deep equality of plain data, whatever the order of object keys (config reaches policies through a protobuf Struct, which sorts them). */
export function sameData(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameData(v, b[i]));
  const ra = asRecord(a);
  const rb = asRecord(b);
  if (!ra || !rb) return a === b;
  const keys = Object.keys(ra);
  return keys.length === Object.keys(rb).length && keys.every((k) => Object.hasOwn(rb, k) && sameData(ra[k], rb[k]));
}

/** The value at a dot path (`hubble.relay.resources`; a number indexes a list: `template.spec.containers.0.resources`). */
export function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split(".")) value = Array.isArray(value) && /^\d+$/.test(key) ? value[Number(key)] : asRecord(value)?.[key];
  return value;
}

// ---------------------------------------------------------------- quantities

/** Drops float noise (0.7 * 1000 = 700.0000000000001) before rounding up. */
export const roundUp = (n: number): number => Math.ceil(Math.round(n * 1e6) / 1e6);

const bytesPer: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const memoryQuantity = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const cpuQuantity = /^(\d+(?:\.\d+)?|\.\d+)(m)?$/;
/** YAML gives `cpu: 2` and `memory: 1073741824` as numbers. */
const asText = (q: unknown): string | undefined => (typeof q === "string" ? q : typeof q === "number" && q >= 0 ? String(q) : undefined);

/** A memory quantity ("512Mi", "1G", "1048576" bytes) in MiB; undefined if it is not one. */
export function memoryMiB(quantity: unknown): number | undefined {
  const match = memoryQuantity.exec(asText(quantity) ?? "");
  return match ? (Number(match[1]) * bytesPer[match[2] ?? ""]) / 2 ** 20 : undefined;
}

/** A CPU quantity ("100m", "0.5", "2") in millicores, rounded up as Kubernetes does; undefined if it is not one. */
export function milliCpu(quantity: unknown): number | undefined {
  const match = cpuQuantity.exec(asText(quantity) ?? "");
  return match ? roundUp(Number(match[1]) * (match[2] ? 1 : 1000)) : undefined;
}

/** What a resources block requests; a missing request defaults to the limit, as in Kubernetes; anything unreadable counts 0. */
export function requestsOf(resources: unknown): { memoryMiB: number; milliCpu: number } {
  const get = (group: string, key: string) => valueAt(resources, `${group}.${key}`);
  return {
    memoryMiB: memoryMiB(get("requests", "memory") ?? get("limits", "memory")) ?? 0,
    milliCpu: milliCpu(get("requests", "cpu") ?? get("limits", "cpu")) ?? 0,
  };
}

// ---------------------------------------------------------------- charts

export const chartsSchema: PolicyConfigSchema["properties"][string] = {
  type: "object",
  default: {},
  additionalProperties: {
    type: "object",
    required: ["workloads"],
    properties: {
      workloads: {
        type: "array",
        items: {
          type: "object",
          required: ["path"],
          properties: { path: { type: "string" }, perNode: { type: "boolean" }, replicasPath: { type: "string" }, replicas: { type: "integer", minimum: 0 }, init: { type: "boolean" } },
        },
      },
      servicePaths: { type: "array", items: { type: "string" } },
      estimated: {
        type: "object",
        required: ["reason", "memoryMiB", "milliCpu"],
        properties: { reason: { type: "string" }, memoryMiB: { type: "number", minimum: 0 }, milliCpu: { type: "number", minimum: 0 } },
      },
    },
  },
};

/** A chart's declaration, if the config has one (own keys only: a chart named "constructor" is not declared). */
/**
 * How a chart is declared: `<chart>@<release>` for one release of a generic
 * chart (each app-template release puts its containers elsewhere), else
 * `<chart>` for every release of it.
 */
export function declaredChart(charts: ChartsConfig, install: Pick<ChartInstall, "chart" | "release">): ChartDeclaration | undefined {
  if (install.chart === undefined) return undefined;
  const perRelease = `${install.chart}@${install.release ?? ""}`;
  if (install.release !== undefined && Object.hasOwn(charts, perRelease)) return charts[perRelease];
  return Object.hasOwn(charts, install.chart) ? charts[install.chart] : undefined;
}

/** One chart (or, in an Application, one source) a Release or Application installs. */
export interface ChartInstall {
  /** What messages name: "Release cilium", "Application media". */
  resource: string;
  /** The chart's name, the last segment of its reference or git path; undefined for a source of plain manifests. */
  chart?: string;
  /** The Helm release name, when the resource sets one. */
  release?: string;
  /** What messages call the version: "chart version", "chart argo-cd targetRevision". */
  versionLabel: string;
  version: unknown;
  values: unknown;
  /** Where the values sit, for messages: "values", "valuesObject", "sources[1].helm.valuesObject". */
  valuesPath: string;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const chartName = (chart: unknown): string | undefined => (typeof chart === "string" && chart !== "" ? chart.split("/").filter(Boolean).pop() : undefined);

/** The charts a Release or Application installs; [] for any other resource. */
export function chartInstalls(type: string, name: string, props: Record<string, unknown>): ChartInstall[] {
  if (type === types.helmRelease) {
    return [{ resource: `Release ${name}`, chart: chartName(props.chart), release: text(props.name), versionLabel: "chart version", version: props.version, values: props.values, valuesPath: "values" }];
  }
  if (type !== types.argoApplication) return [];
  const many = valueAt(props, "spec.sources");
  const sources = Array.isArray(many) ? many : [valueAt(props, "spec.source")];
  return sources.flatMap((source, i) => {
    const s = asRecord(source);
    if (!s) return [];
    // A git source with a helm section is a chart kept in a repository (path: deploy/chart/<name>).
    const chart = chartName(s.chart) ?? (s.helm === undefined ? undefined : chartName(s.path));
    const what = chart ? `chart ${chart}` : `source ${typeof s.repoURL === "string" ? s.repoURL : i + 1}`;
    const valuesPath = Array.isArray(many) ? `sources[${i}].helm.valuesObject` : "valuesObject";
    return [{ resource: `Application ${name}`, chart, release: text(valueAt(s, "helm.releaseName")), versionLabel: `${what} targetRevision`, version: s.targetRevision, values: valueAt(s, "helm.valuesObject"), valuesPath }];
  });
}

// ---------------------------------------------------------------- images

/** One image reference found in values or a container, split up. */
export interface ImageUse {
  /** Where it was found, for messages. */
  path: string;
  /** For messages: the reference in quotes, or "(repository x)" for an object. */
  shown: string;
  repository?: string;
  tag?: string;
  digest?: string;
  /** Written as { repository, tag } rather than one string. */
  fromObject: boolean;
}

/** `registry:5000/team/app:1.2@sha256:...` into repository, tag and digest. */
export function parseImage(ref: string): { repository: string; tag?: string; digest?: string } {
  const [name, digest] = ref.split("@", 2);
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest } : { repository: name, digest };
}

const field = (value: unknown): string | undefined => (value === undefined || value === null || value === "" ? undefined : String(value));

/** The image at one `image` key, if it is a readable reference; templated strings (with spaces) are skipped. */
export function imageUse(value: unknown, path: string): ImageUse | undefined {
  if (typeof value === "string") {
    if (value === "" || /\s/.test(value)) return undefined;
    return { path, shown: `"${value}"`, ...parseImage(value), fromObject: false };
  }
  const image = asRecord(value);
  if (!image) return undefined;
  const repository = typeof image.repository === "string" && image.repository !== "" ? image.repository : undefined;
  // Charts built on the bjw-s library take a digest inside the tag: `tag: 1.2.3@sha256:...`.
  const [tag, digestInTag] = (field(image.tag) ?? "").split("@", 2).map((part) => (part === "" ? undefined : part));
  if (!repository && !tag && !digestInTag) return undefined;
  return { path, shown: repository ? `(repository ${repository})` : `(tag ${tag})`, repository, tag, digest: field(image.digest) ?? digestInTag, fromObject: true };
}

/** Every image under a key named `image`, anywhere in chart values. */
export function imagesIn(value: unknown, path: string): ImageUse[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => imagesIn(v, `${path}[${i}]`));
  const record = asRecord(value);
  if (!record) return [];
  return Object.entries(record).flatMap(([key, v]) => {
    const child = `${path}.${key}`;
    const image = key === "image" ? imageUse(v, child) : undefined;
    return image ? [image] : imagesIn(v, child);
  });
}

// ---------------------------------------------------------------- raw workloads

/** Where each workload kind keeps its pod spec. */
export const podSpecPaths: Record<string, string> = {
  [types.deployment]: "spec.template.spec",
  [types.statefulSet]: "spec.template.spec",
  [types.daemonSet]: "spec.template.spec",
  [types.job]: "spec.template.spec",
  [types.cronJob]: "spec.jobTemplate.spec.template.spec",
  [types.pod]: "spec",
};

export const isWorkload = (type: string): boolean => type in podSpecPaths || type === types.cnpgCluster;

/** "Deployment web": what messages call a raw workload. */
export const workloadLabel = (type: string, name: string): string => `${type.split(":").pop()} ${name}`;

export interface Container {
  /** "container app", "init container setup". */
  label: string;
  init: boolean;
  image: unknown;
  resources: unknown;
}

/** The containers and init containers of a raw workload's pod template (a database's one postgres container); [] for other resources. */
export function containersOf(type: string, props: Record<string, unknown>): Container[] {
  if (type === types.cnpgCluster) return [{ label: "container postgres", init: false, image: valueAt(props, "spec.imageName"), resources: valueAt(props, "spec.resources") }];
  if (!isWorkload(type)) return [];
  const spec = valueAt(props, podSpecPaths[type]);
  const list = (key: string, init: boolean): Container[] => {
    const containers = valueAt(spec, key);
    if (!Array.isArray(containers)) return [];
    return containers.flatMap((c, i) => {
      const container = asRecord(c);
      if (!container) return [];
      const name = typeof container.name === "string" ? container.name : `#${i + 1}`;
      return [{ label: `${init ? "init container" : "container"} ${name}`, init, image: container.image, resources: container.resources }];
    });
  };
  return [...list("containers", false), ...list("initContainers", true)];
}
