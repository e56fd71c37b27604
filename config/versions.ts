// Every version the program deploys, in one place. npm packages are pinned
// in package.json; Go tools in tools/go.mod. Bump here, run `npm test`.

/** Container images run on the management VM, and the connectors the platform runs. Tags are exact releases, never `latest`. */
export const images = {
  omni: "ghcr.io/siderolabs/omni:v1.12.2",
  postgres: "docker.io/library/postgres:17.6-bookworm",
  /** Authentik, server and worker (the API package in package.json is the same 2026.8 release line). */
  authentik: "ghcr.io/goauthentik/server:2026.8.6",
  /** The tunnel connector (Cloudflare's image: distroless, no shell), on the management VM and in the clusters. */
  cloudflared: "docker.io/cloudflare/cloudflared:2026.10.0",
  /** Twingate's connector, at home on the prod cluster (components/platform/twingate.ts). */
  twingateConnector: "docker.io/twingate/connector:1.93.0",
  /** Grafana Alloy on the management VM (the release the clusters' Alloy chart runs). */
  alloy: "docker.io/grafana/alloy:v1.18.1",
  /** Oracle's CLI image (its Python and SDK run the Always Free usage job on the management VM); multi-architecture, dated tags. */
  ociCli: "ghcr.io/oracle/oci-cli:20260930",
  /** The static-IP egress proxy (Canonical's Squid image, multi-architecture). */
  squid: "docker.io/ubuntu/squid:6.10-24.04_edge",
  /** GitHub's runner, one pod per job on prod (components/platform/actionsRunner.ts). */
  actionsRunner: "ghcr.io/actions/actions-runner:2.336.0",
} as const;

/**
 * The backups' images: Velero (the chart's own release line, its patch
 * release the one tools/backup-crds checks against), its S3 plugin (the
 * release paired with Velero 1.18), and restic's own image, whose binary the
 * database jobs and drills copy beside PostgreSQL's tools.
 */
export const backupImages = {
  velero: { repository: "docker.io/velero/velero", tag: "v1.18.3" },
  veleroPluginAws: { repository: "docker.io/velero/velero-plugin-for-aws", tag: "v1.14.2" },
  restic: { repository: "docker.io/restic/restic", tag: "0.19.1" },
} as const satisfies Record<string, ImageRef>;

/** restic, the backups' tool (components/backup/restic.ts): the release the jobs run and tools/restic builds for the drill (a test keeps them equal). */
export const resticVersion = "0.19.1";

/**
 * Talos minor -> Kubernetes minors it supports (inclusive), from Talos'
 * support matrix (siderolabs/talos pkg/machinery/compatibility).
 */
export const talosKubernetesMatrix: Record<string, { min: string; max: string }> = {
  "1.9": { min: "1.27", max: "1.32" },
  "1.10": { min: "1.28", max: "1.33" },
  "1.11": { min: "1.29", max: "1.34" },
  "1.12": { min: "1.30", max: "1.35" },
  "1.13": { min: "1.31", max: "1.36" },
  "1.14": { min: "1.32", max: "1.37" },
};

/**
 * Talos minors we accept. Older minors are out of community support (the PRD's
 * 1.9 among them); 1.13 stays because it is the newest minor that Omni v1.12
 * manages, and 1.14 is the current release.
 */
export const supportedTalosMinors = ["1.13", "1.14"] as const;

const minor = (version: string) => version.split(".").slice(0, 2).join(".");
const minorNumber = (m: string) => Number(m.split(".")[1]);

/** Returns which version is wrong and why, or undefined when the pair is allowed. */
export function checkTalosKubernetesPair(talos: string, kubernetes: string): { field: "talos" | "kubernetes"; message: string } | undefined {
  const t = minor(talos);
  const k = minor(kubernetes);
  if (!(supportedTalosMinors as readonly string[]).includes(t)) {
    return { field: "talos", message: `expected a supported Talos release (${supportedTalosMinors.join(", ")}); Talos ${talos} is out of support` };
  }
  const range = talosKubernetesMatrix[t];
  if (k.split(".")[0] !== "1" || minorNumber(k) < minorNumber(range.min) || minorNumber(k) > minorNumber(range.max)) {
    return { field: "kubernetes", message: `expected Kubernetes ${range.min}.x to ${range.max}.x, the range Talos ${t} supports; got ${kubernetes}` };
  }
  return undefined;
}

/**
 * Helm charts the program installs (directly or through Argo CD). Versions are
 * exact chart releases; each chart's own appVersion pins its images unless a
 * values override below names a tag.
 */
export const charts = {
  cilium: { repo: "https://helm.cilium.io", chart: "cilium", version: "1.18.6" },
  argoCd: { repo: "https://argoproj.github.io/argo-helm", chart: "argo-cd", version: "9.5.5" },
  certManager: { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.19.4" },
  externalSecrets: { repo: "https://charts.external-secrets.io", chart: "external-secrets", version: "0.20.4" },
  longhorn: { repo: "https://charts.longhorn.io", chart: "longhorn", version: "1.10.1" },
  csiDriverNfs: { repo: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts", chart: "csi-driver-nfs", version: "4.12.1" },
  /** Prometheus, Alertmanager, their operator, kube-state-metrics and the node exporter (prod); images pinned below in monitoringReleases. */
  kubePrometheusStack: { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "88.3.0" },
  /** Every cluster's logs (prod); 6.55 is the last release of Grafana's repository for Loki without an Enterprise licence. */
  loki: { repo: "https://grafana.github.io/helm-charts", chart: "loki", version: "6.55.0" },
  /** Every cluster's log shipper, and the prober where no Prometheus runs. */
  alloy: { repo: "https://grafana.github.io/helm-charts", chart: "alloy", version: "1.11.1" },
  /** Velero (every cluster's Kubernetes objects and volumes, offsite); its image pinned in backupImages. */
  velero: { repo: "https://vmware-tanzu.github.io/helm-charts", chart: "velero", version: "12.1.0" },
  /** VolSync (the critical volumes' restic copies, offsite); the API types tools/backup-crds checks are the same release. */
  volsync: { repo: "https://backube.github.io/helm-charts", chart: "volsync", version: "0.16.0" },
  /** GitHub's Actions Runner Controller and the homelab's runner scale set (prod, docs/delivery.md); the same release of both. */
  actionsRunnerController: { repo: "ghcr.io/actions/actions-runner-controller-charts", chart: "gha-runner-scale-set-controller", version: "0.14.2", oci: true },
  actionsRunnerSet: { repo: "ghcr.io/actions/actions-runner-controller-charts", chart: "gha-runner-scale-set", version: "0.14.2", oci: true },
  /** The prober of prod's service Probes. */
  blackboxExporter: { repo: "https://prometheus-community.github.io/helm-charts", chart: "prometheus-blackbox-exporter", version: "11.17.2" },
} as const;

export type ChartRef = (typeof charts)[keyof typeof charts];

/** A container image: an exact release tag, and its digest where a public repository pins one. */
export interface ImageRef {
  repository: string;
  tag: string;
  digest?: string;
}

/**
 * Charts of the services and of the add-ons they need. `oci`: the repository
 * is an OCI registry (Argo CD gets a repository entry with OCI enabled).
 */
export const serviceCharts = {
  /** bjw-s app-template, for apps without a good chart of their own (bjw-s-labs/home-ops pins 5.1.0). */
  appTemplate: { repo: "ghcr.io/bjw-s-labs/helm", chart: "app-template", version: "5.1.0", oci: true },
  cloudnativePg: { repo: "https://cloudnative-pg.github.io/charts", chart: "cloudnative-pg", version: "0.29.0" },
  nextcloud: { repo: "https://nextcloud.github.io/helm", chart: "nextcloud", version: "9.2.4" },
  immich: { repo: "ghcr.io/immich-app/immich-charts", chart: "immich", version: "0.12.0", oci: true },
  n8n: { repo: "ghcr.io/n8n-io/n8n-helm-chart", chart: "n8n", version: "1.11.0", oci: true },
  /** Grafana 13.2.0; the chart moved from Grafana's repository to the community's. */
  grafana: { repo: "https://grafana-community.github.io/helm-charts", chart: "grafana", version: "12.11.1" },
} as const;

/**
 * Service images. Tags are exact releases read in the projects' own
 * repositories or release notes; a digest only where a public repository
 * pins it (named beside it).
 */
export const serviceImages = {
  /** Node.js for the gaming launch page (services/gamingLaunch.ts runs the program's own bundled server on it). */
  node: { repository: "docker.io/library/node", tag: "22.21.0-alpine3.22" },
  vaultwarden: { repository: "docker.io/vaultwarden/server", tag: "1.37.2" },
  baikal: { repository: "docker.io/ckulka/baikal", tag: "0.10.1-nginx" },
  // randomcoww/homelab bucket_ops/navidrome.tf pins this digest.
  navidrome: { repository: "ghcr.io/navidrome/navidrome", tag: "0.63.2", digest: "sha256:9012939114fbb1bb641b81cf96dec5ded15f0aafefe8d47a511d7cb919658e40" },
  lidarr: { repository: "lscr.io/linuxserver/lidarr", tag: "3.1.0.4875-ls38" },
  glance: { repository: "docker.io/glanceapp/glance", tag: "v0.8.5" },
  ntfy: { repository: "docker.io/binwiederhier/ntfy", tag: "v2.34.0" },
  mealie: { repository: "ghcr.io/mealie-recipes/mealie", tag: "v3.27.0" },
  nextcloud: { repository: "docker.io/library/nextcloud", tag: "34.0.1-apache" },
  // The Nextcloud chart's Redis subchart takes Bitnami's images; their free copies live under bitnamilegacy.
  nextcloudRedis: { repository: "docker.io/bitnamilegacy/redis", tag: "8.2.1-debian-12-r0" },
  immichServer: { repository: "ghcr.io/immich-app/immich-server", tag: "v3.2.4" },
  immichMachineLearning: { repository: "ghcr.io/immich-app/immich-machine-learning", tag: "v3.2.4" },
  n8n: { repository: "docker.n8n.io/n8nio/n8n", tag: "2.46.5" },
  // Invidious publishes multi-arch images only as latest; the arm64 build has its own exact tag.
  invidious: { repository: "quay.io/invidious/invidious", tag: "2.20260804.1-arm64" },
  invidiousCompanion: { repository: "quay.io/invidious/invidious-companion", tag: "2026.09.19-bb3b37f" },
  // Comet publishes moving channel tags only (latest, dev); the digest is what runs. A public NixOS
  // configuration pins this multi-architecture manifest ("upstream publishes moving channel tags only").
  comet: { repository: "ghcr.io/g0ldyy/comet", tag: "latest", digest: "sha256:dca62133336e02784d02aaad861381820674d1c8e3e98a03797610b81ee4defe" },
  adguardHome: { repository: "docker.io/adguard/adguardhome", tag: "v0.107.79" },
  homeAssistant: { repository: "ghcr.io/home-operations/home-assistant", tag: "2026.8.3" },
  // bjw-s-labs/home-ops kubernetes/apps/media/audiobookshelf pins this digest.
  audiobookshelf: { repository: "ghcr.io/advplyr/audiobookshelf", tag: "2.36.0", digest: "sha256:180acad33d69c99ed208676465d8edcb268fa46967735579a7810859885b1a8e" },
  komga: { repository: "docker.io/gotson/komga", tag: "1.26.3" },
  romm: { repository: "docker.io/rommapp/romm", tag: "5.2.0" },
  // Immich's chart pins this Valkey digest (immich-app/immich-charts charts/immich/values.yaml).
  valkey: { repository: "docker.io/valkey/valkey", tag: "9.1-alpine", digest: "sha256:34f4f659e02a67cfdf3995d11ae432219c936005055b2cd39a042e86280e053e" },
  /** The SSO proxy in front of sso and admin routes; the same release is built from source for the access-matrix check (tools/oauth2-proxy). */
  oauth2Proxy: { repository: "quay.io/oauth2-proxy/oauth2-proxy", tag: "v7.15.4" },
  /** PostgreSQL for every service database (CloudNativePG's standard flavour). */
  postgres: { repository: "ghcr.io/cloudnative-pg/postgresql", tag: "17.11-standard-trixie" },
  /** PostgreSQL with VectorChord, which Immich v3 requires. */
  postgresVectorchord: { repository: "ghcr.io/tensorchord/cloudnative-vectorchord", tag: "17.10-1.1.1" },
} as const satisfies Record<string, ImageRef>;

/**
 * Twingate's headless client, on the cloud nodes. Twingate publishes it as
 * `latest` only, and no digest can be looked up where the program is built:
 * the stack config pins it (homelab:twingate.clientImageDigest), refreshed with
 * the command in docs/runbooks/private-access.md.
 */
export const twingateClientRepository = "docker.io/twingate/client";

/**
 * Prometheus and Alertmanager: the releases the prod cluster is to run, the
 * same ones the alerting checks build (tools/prometheus, tools/alertmanager;
 * a test keeps the three places equal).
 */
export const monitoringReleases = { prometheus: "3.16.0", alertmanager: "0.31.1" } as const;

/** Repositories whose releases are numbered major.minor: a tag like 17.11-standard-trixie is one release (pinned-versions). */
export const majorMinorImages: string[] = [serviceImages.postgres.repository];

/** An image as one reference string: repository:tag[@digest]. */
export const imageString = (i: ImageRef): string => `${i.repository}:${i.tag}${i.digest ? `@${i.digest}` : ""}`;

/**
 * Charts published only inside their git repository: Argo CD renders them
 * from the tagged path. local-path-provisioner has no Helm repository.
 */
export const gitCharts = {
  localPath: { repo: "https://github.com/rancher/local-path-provisioner.git", chart: "local-path-provisioner", path: "deploy/chart/local-path-provisioner", version: "v0.0.31" },
} as const;

/** Gateway API CRDs that Cilium's Gateway implementation requires (standard channel plus TLSRoute). */
export const gatewayApi = {
  version: "v1.3.0",
  /** By role: the role names the resource that applies the file. */
  crdFiles: {
    standard: "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml",
    tlsroutes: "https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.3.0/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml",
  },
} as const;

/**
 * KubeVirt and its Containerized Data Importer (hypervisor.gpu.consumer
 * kubevirt: the gaming sessions on PROD's gpu-worker). Neither publishes a
 * Helm chart: their operators are installed from the release's manifest, the
 * way the projects document it, and the program writes the KubeVirt and CDI
 * resources itself (components/gaming/kubevirt.ts). tools/kubevirt-check
 * reads those against the same releases' API types (a test keeps them equal).
 */
export const kubevirtReleases = {
  kubevirt: { repository: "kubevirt/kubevirt", version: "v1.9.0", manifest: "kubevirt-operator.yaml" },
  cdi: { repository: "kubevirt/containerized-data-importer", version: "v1.66.0", manifest: "cdi-operator.yaml" },
} as const;

/** Where a release's operator manifest is downloaded from (its version in the path, as `pinned-versions` requires). */
export const operatorManifestUrl = (r: { repository: string; version: string; manifest: string }): string =>
  `https://github.com/${r.repository}/releases/download/${r.version}/${r.manifest}`;

/**
 * The gaming VM's guest software: the virtio-win ISO (drivers for Windows
 * Setup, the guest tools with the QEMU guest agent; the release is in the
 * file's URL) and the winget packages installed at first logon, each at an
 * exact version (components/gaming/unattend.ts).
 */
export const gamingGuest = {
  virtioWin: { version: "0.1.285", url: "https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/virtio-win-0.1.285-1/virtio-win-0.1.285.iso" },
  packages: [
    { id: "LizardByte.Sunshine", version: "2025.628.4510" },
    { id: "Valve.Steam", version: "2.10.91.91" },
  ],
} as const;
export const guestPackages: { id: string; version: string }[] = gamingGuest.packages.map((p) => ({ ...p }));
