// Values for the community app-template chart, for apps without a good chart
// of their own: one controller per workload of the entry, its image, probes
// on the entry's health path, resources from the entry, the entry's volumes
// mounted where it says, secrets and database wired in as environment.
import { ImageRef, serviceCharts } from "../config/versions";
import { claimNameOf, workloadsOn } from "../components/service/manifests";
import { ChartSource, ServiceContext, ServiceEntry } from "./entry";

export const appTemplateChart: ChartSource = serviceCharts.appTemplate;

/** One container of an app-template controller. */
export interface AppContainer {
  image: ImageRef;
  env?: Record<string, unknown>;
  args?: string[];
  /** Whether the entry's health path is its probe (the main container's is). */
  probes?: boolean;
  /** The app runs as this user and group (restricted Pod Security). */
  runAs?: number;
}

export interface AppTemplateSpec {
  /** By workload name (the entry's workloads). */
  containers: Record<string, AppContainer>;
  /** Extra files mounted from a ConfigMap the chart creates: name -> { path, files }. */
  configMaps?: Record<string, { path: string; files: Record<string, string> }>;
  /** Extra emptyDir scratch mounts (read-only root filesystems need somewhere to write). */
  scratch?: Record<string, string>;
  /** Mount paths per volume name, when a sidecar must not see a volume; default: every volume in the main container. */
}

/** The resources and replicas the budget reads, where these values put them. */
export function appTemplateWorkloadPaths(workloads: string[]): Record<string, { resources: string; replicas: string }> {
  return Object.fromEntries(workloads.map((w) => [w, { resources: `controllers.${w}.containers.app.resources`, replicas: `controllers.${w}.replicas` }]));
}

/** Restricted Pod Security: a non-root user, a read-only root, no capabilities. */
const restrictedContainer = (uid: number) => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
});
/** For an image that must start as root (the entry's podSecurity says why): still no escalation, the default seccomp profile. */
const rootStartContainer = { allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } };

export function appTemplateValues(entry: ServiceEntry, ctx: ServiceContext, spec: AppTemplateSpec): Record<string, unknown> {
  const workloads = workloadsOn(entry, ctx.reduced);
  const restricted = entry.podSecurity.level === "restricted";
  const main = Object.keys(workloads)[0];
  const controllers: Record<string, unknown> = {};
  for (const [name, w] of Object.entries(workloads)) {
    const c = spec.containers[name];
    if (!c) throw new Error(`service ${entry.name}: workload ${name} has no container in its app-template values`);
    const probe = { enabled: true, custom: true, spec: { httpGet: { path: entry.health.path, port: entry.health.port }, periodSeconds: 15, failureThreshold: 4 } };
    controllers[name] = {
      replicas: w.replicas ?? 1,
      // A volume written by one pod at a time: the new pod starts after the old one stops.
      strategy: entry.volumes.some((v) => v.kind === "data") ? "Recreate" : "RollingUpdate",
      containers: {
        app: {
          image: { repository: c.image.repository, tag: c.image.digest ? `${c.image.tag}@${c.image.digest}` : c.image.tag },
          ...(c.args ? { args: c.args } : {}),
          env: { TZ: ctx.timezone, ...(c.env ?? {}) },
          ...(entry.secrets.length ? { envFrom: [{ secretRef: { name: ctx.secretName } }] } : {}),
          ...(c.probes ?? name === main ? { probes: { liveness: probe, readiness: probe, startup: { ...probe, spec: { ...probe.spec, failureThreshold: 30, periodSeconds: 5 } } } } : {}),
          resources: w.resources,
          securityContext: restricted ? restrictedContainer(c.runAs ?? 1000) : rootStartContainer,
        },
      },
    };
  }
  const persistence: Record<string, unknown> = {};
  for (const v of entry.volumes) {
    persistence[v.kind === "library" ? v.folder : v.name] = {
      existingClaim: claimNameOf(entry, v),
      advancedMounts: { [main]: { app: [{ path: v.mountPath, readOnly: v.kind === "library" && v.access === "ro" }] } },
    };
  }
  for (const [name, cm] of Object.entries(spec.configMaps ?? {})) {
    persistence[name] = { type: "configMap", identifier: name, globalMounts: [{ path: cm.path, readOnly: true }] };
  }
  for (const [name, path] of Object.entries(spec.scratch ?? { tmp: "/tmp" })) {
    persistence[name] = { type: "emptyDir", globalMounts: [{ path }] };
  }
  const service =
    entry.exposure.kind === "lan"
      ? { app: { controller: main, type: "ClusterIP", ports: Object.fromEntries(entry.exposure.ports.map((p) => [p.name, { port: p.port, protocol: p.protocol }])) } }
      : { app: { controller: main, ports: { http: { port: entry.health.port } } } };
  return {
    // Every object is named after the release (the entry's name).
    global: { fullnameOverride: entry.name },
    defaultPodOptions: {
      automountServiceAccountToken: false,
      securityContext: restricted
        ? { runAsNonRoot: true, fsGroup: spec.containers[main].runAs ?? 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } }
        : { seccompProfile: { type: "RuntimeDefault" } },
    },
    controllers,
    service,
    persistence,
    ...(spec.configMaps ? { configMaps: Object.fromEntries(Object.entries(spec.configMaps).map(([n, cm]) => [n, { data: cm.files }])) } : {}),
  };
}
