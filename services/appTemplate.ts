// Values for the community app-template chart, for apps without a good chart
// of their own: one controller per workload of the entry, its image, probes
// on the entry's health path, resources from the entry, the entry's volumes
// mounted where it says, secrets and database wired in as environment.
import { ImageRef, serviceCharts } from "../config/versions";
import { claimNameOf, tlsMountPath, tlsSecretNameOf, workloadsOn } from "../components/service/manifests";
import type { Resources } from "../components/platform/resources";
import { ChartSource, ServiceContext, ServiceEntry } from "./entry";

export const appTemplateChart: ChartSource = serviceCharts.appTemplate;

/** One container of an app-template controller. */
export interface AppContainer {
  image: ImageRef;
  env?: Record<string, unknown>;
  args?: string[];
  /** The app runs as this user and group (default 1000). */
  runAs?: number;
  /** Why the image must start as root (it then drops to its user itself); the namespace's Pod Security level must allow it. */
  startsAsRoot?: string;
  /** Why the image writes into its own filesystem at start (the root filesystem then stays writable). */
  writesRoot?: string;
  /** Its own health check, when it is not the entry's (the main container's is the entry's). */
  probe?: { path: string; port: number };
  /** A sidecar's port: it gets a Service of its own, <entry>-<workload>. */
  port?: number;
}

/** A step run before the main container, with its image, user and the entry's volumes and secrets. */
export interface AppInitStep {
  command: string[];
  resources: Resources;
}

export interface AppTemplateSpec {
  /** By workload name (the entry's workloads). */
  containers: Record<string, AppContainer>;
  /** Steps before the main container starts (seeding or rewriting its configuration on the data volume). */
  initSteps?: Record<string, AppInitStep>;
  /** Extra files mounted from a ConfigMap the chart creates: name -> { path, files }. */
  configMaps?: Record<string, { path: string; files: Record<string, string> }>;
  /** Extra emptyDir scratch mounts (read-only root filesystems need somewhere to write). */
  scratch?: Record<string, string>;
  /** Extra ports on the main Service (a web UI beside a LAN service's own ports). */
  extraPorts?: Record<string, number>;
  /** Why the pod needs the node's network (the namespace must be privileged); cluster names still resolve. */
  hostNetwork?: string;
  /** More Secrets every container reads as environment (besides the entry's own). */
  envFromSecrets?: string[];
  /**
   * Host devices (USB radios) at the same path in the main container, which
   * then runs privileged (the device cgroup admits no host device otherwise;
   * the namespace must be privileged) with each device's group.
   */
  devices?: { path: string; group: number }[];
}

/** The resources and replicas the budget reads, where these values put them. */
export function appTemplateWorkloadPaths(workloads: string[]): Record<string, { resources: string; replicas: string }> {
  return Object.fromEntries(workloads.map((w) => [w, { resources: `controllers.${w}.containers.app.resources`, replicas: `controllers.${w}.replicas` }]));
}

/** The user app-template's containers run as unless one says otherwise (runAs): the owner of the files they write. */
export const appUser = 1000;

/** Restricted Pod Security: a non-root user, a read-only root, no capabilities (the root writable only where the container says why). */
const restrictedContainer = (c: AppContainer) => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: c.writesRoot === undefined,
  runAsNonRoot: true,
  runAsUser: c.runAs ?? appUser,
  runAsGroup: c.runAs ?? appUser,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
});
/** For an image that must start as root: still no escalation, the default seccomp profile. */
const rootStartContainer = { allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } };
const containerSecurity = (c: AppContainer) => (c.startsAsRoot ? rootStartContainer : restrictedContainer(c));

const httpProbe = (path: string, port: number) => ({ enabled: true, custom: true, spec: { httpGet: { path, port }, periodSeconds: 15, failureThreshold: 4 } });

export function appTemplateValues(entry: ServiceEntry, ctx: ServiceContext, spec: AppTemplateSpec): Record<string, unknown> {
  const workloads = workloadsOn(entry, ctx.reduced);
  const main = Object.keys(workloads)[0];
  const mainContainer = spec.containers[main];
  if (spec.hostNetwork && entry.podSecurity.level !== "privileged") throw new Error(`service ${entry.name}: hostNetwork needs the privileged Pod Security level`);
  const devices = spec.devices ?? [];
  if (devices.length && entry.podSecurity.level !== "privileged") throw new Error(`service ${entry.name}: host devices need the privileged Pod Security level`);
  const secretNames = [...(entry.secrets.length ? [ctx.secretName] : []), ...(spec.envFromSecrets ?? [])];
  const envFrom = secretNames.length ? { envFrom: secretNames.map((name) => ({ secretRef: { name } })) } : {};
  const controllers: Record<string, unknown> = {};
  for (const [name, w] of Object.entries(workloads)) {
    const c = spec.containers[name];
    if (!c) throw new Error(`service ${entry.name}: workload ${name} has no container in its app-template values`);
    if (c.startsAsRoot && entry.podSecurity.level === "restricted") throw new Error(`service ${entry.name}: ${name} starts as root, which restricted Pod Security refuses`);
    const check = c.probe ?? (name === main ? entry.health : undefined);
    const probe = check && httpProbe(check.path, check.port);
    const image = { repository: c.image.repository, tag: c.image.digest ? `${c.image.tag}@${c.image.digest}` : c.image.tag };
    const initSteps = name === main ? Object.entries(spec.initSteps ?? {}) : [];
    const replicas = w.replicas ?? 1;
    controllers[name] = {
      replicas,
      // Replicas on different nodes where there are several: one node's loss or drain leaves one serving.
      ...(replicas > 1
        ? {
            pod: {
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: "ScheduleAnyway",
                  labelSelector: { matchLabels: { "app.kubernetes.io/instance": entry.name, "app.kubernetes.io/controller": name } },
                },
              ],
            },
          }
        : {}),
      // A volume written by one pod at a time: the new pod starts after the old one stops.
      strategy: entry.volumes.some((v) => v.kind === "data") ? "Recreate" : "RollingUpdate",
      ...(initSteps.length
        ? { initContainers: Object.fromEntries(initSteps.map(([step, s]) => [step, { image, command: s.command, ...envFrom, resources: s.resources, securityContext: containerSecurity(c) }])) }
        : {}),
      containers: {
        app: {
          image,
          ...(c.args ? { args: c.args } : {}),
          env: { TZ: ctx.timezone, ...(c.env ?? {}) },
          ...envFrom,
          ...(probe ? { probes: { liveness: probe, readiness: probe, ...(name === main ? { startup: { ...probe, spec: { ...probe.spec, failureThreshold: 30, periodSeconds: 5 } } } : {}) } } : {}),
          resources: w.resources,
          securityContext: name === main && devices.length ? { ...containerSecurity(c), privileged: true } : containerSecurity(c),
        },
      },
    };
  }
  // The entry's volumes in the main container, and in its init steps (they prepare what it reads).
  const mounts = (path: string, readOnly: boolean) => ({
    app: [{ path, readOnly }],
    ...Object.fromEntries(Object.keys(spec.initSteps ?? {}).map((step) => [step, [{ path, readOnly }]])),
  });
  const persistence: Record<string, unknown> = {};
  for (const v of entry.volumes) {
    persistence[v.kind === "library" ? v.folder : v.name] = {
      existingClaim: claimNameOf(entry, v),
      advancedMounts: { [main]: mounts(v.mountPath, v.kind === "library" && v.access === "ro") },
    };
  }
  // The entry's certificate (cert-manager's Secret), read-only where the context says the files are.
  if (entry.tls) persistence.tls = { type: "secret", name: tlsSecretNameOf(entry), advancedMounts: { [main]: { app: [{ path: tlsMountPath, readOnly: true }] } } };
  devices.forEach((d, i) => {
    // The stable by-id name is a symlink: no type check, the node resolves it.
    persistence[`device-${i}`] = { type: "hostPath", hostPath: d.path, advancedMounts: { [main]: { app: [{ path: d.path }] } } };
  });
  for (const [name, cm] of Object.entries(spec.configMaps ?? {})) {
    persistence[name] = { type: "configMap", identifier: name, globalMounts: [{ path: cm.path, readOnly: true }] };
  }
  for (const [name, path] of Object.entries(spec.scratch ?? { tmp: "/tmp" })) {
    persistence[name] = { type: "emptyDir", globalMounts: [{ path }] };
  }
  const extraPorts = Object.fromEntries(Object.entries(spec.extraPorts ?? {}).map(([n, port]) => [n, { port }]));
  const mainPorts =
    entry.exposure.kind === "lan"
      ? Object.fromEntries(entry.exposure.ports.map((p) => [p.name, { port: p.port, protocol: p.protocol }]))
      : { http: { port: entry.health.port } };
  const sidecarServices = Object.entries(spec.containers).filter(([name, c]) => name !== main && c.port !== undefined && workloads[name]);
  const service = {
    // The main Service keeps the entry's name even beside a sidecar's (the chart would suffix it).
    app: { controller: main, ...(sidecarServices.length ? { forceRename: entry.name } : {}), ...(entry.exposure.kind === "lan" ? { type: "ClusterIP" } : {}), ports: { ...mainPorts, ...extraPorts } },
    ...Object.fromEntries(sidecarServices.map(([name, c]) => [name, { controller: name, ports: { http: { port: c.port } } }])),
  };
  const anyRoot = Object.values(spec.containers).some((c) => c.startsAsRoot);
  return {
    // Every object is named after the release (the entry's name).
    global: { fullnameOverride: entry.name },
    defaultPodOptions: {
      // Only an app that calls the API server gets its service account's token.
      automountServiceAccountToken: entry.kubernetesApi !== undefined,
      ...(spec.hostNetwork ? { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" } : {}),
      securityContext: anyRoot
        ? { seccompProfile: { type: "RuntimeDefault" } }
        : {
            runAsNonRoot: true,
            fsGroup: mainContainer.runAs ?? appUser,
            fsGroupChangePolicy: "OnRootMismatch",
            ...(devices.length ? { supplementalGroups: [...new Set(devices.map((d) => d.group))] } : {}),
            seccompProfile: { type: "RuntimeDefault" },
          },
    },
    controllers,
    service,
    persistence,
    ...(spec.configMaps ? { configMaps: Object.fromEntries(Object.entries(spec.configMaps).map(([n, cm]) => [n, { data: cm.files }])) } : {}),
  };
}
