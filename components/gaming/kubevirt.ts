// The KubeVirt side of gaming (hypervisor.gpu.consumer kubevirt), as pure
// renderers: KubeVirt's and CDI's own custom resources (the operators come
// from their releases' manifests, config/versions.ts), and one gaming
// session — a Windows VirtualMachine on PROD's gpu-worker with the GPU passed
// through, its system disk cloned from the golden image, its games disk, and
// the LAN address Moonlight reaches Sunshine at.
import { gpuNodeTaint } from "../omni/templates";
import { Manifest, namespace } from "../platform/context";
import { lanAddressAnnotation, lanLoadBalancerLabel } from "../platform/cilium";

export const kubevirtNamespace = "kubevirt";
export const cdiNamespace = "cdi";
/** Where the gaming sessions live: the golden image, each session's disks and VM. */
export const sessionsNamespace = "gaming";
/** The golden image's DataVolume: a sysprepped Windows disk the admin uploads once (docs/runbooks/gaming.md). */
export const goldenImage = "windows-golden";

/** Sunshine's ports (its default base port 47989): HTTPS pairing, HTTP, RTSP; video, control, audio, microphone. */
export const sunshinePorts = {
  tcp: [47984, 47989, 48010],
  udp: [47998, 47999, 48000, 48002],
} as const;

export interface SessionSpec {
  /** The session VM's name (gamingVm.name: the same Windows box, on KubeVirt). */
  name: string;
  cores: number;
  memoryGb: number;
  diskGb: number;
  gamesDiskGb: number;
  /** The GPU's vendor:device ids (the GPU first, then its other functions). */
  deviceIds: string[];
  /** The StorageClass of the disks (Longhorn on prod). */
  storageClass: string;
  /** The Service Moonlight connects to: a LAN address of the cluster's pool (platform.lanLoadBalancer). */
  stream: { service: string; address?: string };
}

/** The extended resource KubeVirt's device plugin advertises for one vendor:device id. */
export const pciResourceName = (deviceId: string): string => `homelab.io/pci-${deviceId.toLowerCase().replace(":", "-")}`;

const gpuToleration = { key: gpuNodeTaint.key, operator: "Equal", value: gpuNodeTaint.value, effect: gpuNodeTaint.effect };

/**
 * KubeVirt's configuration: the GPU's functions permitted for passthrough
 * (bound to vfio-pci on the gpu-worker by its Talos patch, so KubeVirt's own
 * device plugin serves them), the HostDevices gate, and virt-handler allowed
 * onto the tainted gpu-worker.
 */
export function kubevirtResource(deviceIds: string[]): Manifest {
  if (deviceIds.length === 0) throw new Error("kubevirtResource: expected the GPU's vendor:device ids");
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: kubevirtNamespace },
    spec: {
      configuration: {
        developerConfiguration: { featureGates: ["HostDevices"] },
        permittedHostDevices: {
          pciHostDevices: deviceIds.map((id) => ({ pciVendorSelector: id.toUpperCase(), resourceName: pciResourceName(id) })),
        },
      },
      imagePullPolicy: "IfNotPresent",
      // A VM holding a GPU cannot live-migrate: an update of KubeVirt waits for the session to end.
      workloadUpdateStrategy: { workloadUpdateMethods: [] },
      workloads: { nodePlacement: { tolerations: [gpuToleration] } },
    },
  };
}

/** CDI's configuration: uploads through its proxy, clones within the storage class (Longhorn clones by CSI). */
export function cdiResource(): Manifest {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "CDI",
    metadata: { name: "cdi" },
    spec: {
      imagePullPolicy: "IfNotPresent",
      // The CDI resource must not take the imported disks with it if it is ever deleted.
      uninstallStrategy: "BlockUninstallIfWorkloadsExist",
      config: { featureGates: ["HonorWaitForFirstConsumer"] },
    },
  };
}

const gib = (gb: number) => `${gb}Gi`;

function dataVolume(name: string, spec: SessionSpec, sizeGb: number, source: Record<string, unknown>, annotations?: Record<string, string>): Manifest {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: { name, namespace: sessionsNamespace, labels: { "homelab.io/backup": "none" }, ...(annotations ? { annotations } : {}) },
    spec: {
      source,
      storage: { accessModes: ["ReadWriteOnce"], volumeMode: "Block", storageClassName: spec.storageClass, resources: { requests: { storage: gib(sizeGb) } } },
    },
  };
}

/**
 * One gaming session, in apply order: the namespace, the golden image (an
 * upload target), the session's system disk cloned from it and its blank
 * games disk, the VirtualMachine (Manual: the launch page or `virtctl start`
 * starts it), and the LAN Service for Moonlight.
 */
export function sessionManifests(spec: SessionSpec): Manifest[] {
  if (spec.deviceIds.length === 0) throw new Error(`session ${spec.name}: expected the GPU's vendor:device ids`);
  const system = `${spec.name}-system`;
  const games = `${spec.name}-games`;
  const [serviceNamespace, serviceName] = spec.stream.service.split("/");
  if (serviceNamespace !== sessionsNamespace || !serviceName) throw new Error(`session ${spec.name}: expected the stream Service in namespace ${sessionsNamespace}, got ${spec.stream.service}`);
  const labels = { "app.kubernetes.io/name": spec.name, "homelab.io/gaming-session": spec.name };
  return [
    // virt-launcher runs QEMU with the capabilities KubeVirt grants it, beyond the baseline profile.
    namespace(sessionsNamespace, "privileged"),
    // Bound at once, so the upload can start before any session asks for it.
    dataVolume(goldenImage, spec, spec.diskGb, { upload: {} }, { "cdi.kubevirt.io/storage.bind.immediate.requested": "true" }),
    dataVolume(system, spec, spec.diskGb, { pvc: { namespace: sessionsNamespace, name: goldenImage } }),
    dataVolume(games, spec, spec.gamesDiskGb, { blank: {} }),
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: spec.name, namespace: sessionsNamespace, labels },
      spec: {
        runStrategy: "Manual",
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { [gpuNodeTaint.key]: gpuNodeTaint.value },
            tolerations: [gpuToleration],
            // Windows shuts down cleanly when asked (the guest agent, ACPI); a stuck one is cut off after 3 minutes.
            terminationGracePeriodSeconds: 180,
            domain: {
              cpu: { cores: spec.cores, sockets: 1, threads: 1 },
              memory: { guest: gib(spec.memoryGb) },
              firmware: { bootloader: { efi: { secureBoot: false } } },
              features: { acpi: {}, apic: {}, hyperv: { relaxed: {}, vapic: {}, spinlocks: { spinlocks: 8191 } } },
              clock: { utc: {}, timer: { hpet: { present: false }, pit: { tickPolicy: "delay" }, rtc: { tickPolicy: "catchup" }, hyperv: {} } },
              devices: {
                disks: [
                  { name: "system", disk: { bus: "virtio" }, bootOrder: 1 },
                  { name: "games", disk: { bus: "virtio" } },
                ],
                hostDevices: spec.deviceIds.map((id, i) => ({ name: i === 0 ? "gpu" : `gpu-function-${i}`, deviceName: pciResourceName(id) })),
                interfaces: [{ name: "default", masquerade: {}, model: "virtio" }],
              },
            },
            networks: [{ name: "default", pod: {} }],
            volumes: [
              { name: "system", dataVolume: { name: system } },
              { name: "games", dataVolume: { name: games } },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: serviceName,
        namespace: sessionsNamespace,
        labels: { ...labels, [lanLoadBalancerLabel]: "true" },
        ...(spec.stream.address ? { annotations: lanAddressAnnotation(spec.stream.address) } : {}),
      },
      spec: {
        type: "LoadBalancer",
        selector: { "homelab.io/gaming-session": spec.name },
        ports: [
          ...sunshinePorts.tcp.map((port) => ({ name: `tcp-${port}`, protocol: "TCP", port, targetPort: port })),
          ...sunshinePorts.udp.map((port) => ({ name: `udp-${port}`, protocol: "UDP", port, targetPort: port })),
        ],
      },
    },
  ];
}

/**
 * What the launch page (its namespace's `default` service account) may do
 * with the session, and nothing else: read the VM, its instance and the
 * stream Service, and start and stop that one VM.
 */
export function launchPageAccess(spec: Pick<SessionSpec, "name" | "stream">, launchNamespace: string): Manifest[] {
  const [, stream] = spec.stream.service.split("/");
  const name = "gaming-launch-session";
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace: sessionsNamespace },
      rules: [
        { apiGroups: ["kubevirt.io"], resources: ["virtualmachines", "virtualmachineinstances"], resourceNames: [spec.name], verbs: ["get"] },
        { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachines/start", "virtualmachines/stop"], resourceNames: [spec.name], verbs: ["update"] },
        { apiGroups: [""], resources: ["services"], resourceNames: [stream], verbs: ["get"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace: sessionsNamespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace: launchNamespace }],
    },
  ];
}
