// Every version the program deploys, in one place. npm packages are pinned
// in package.json; Go tools in tools/go.mod. Bump here, run `npm test`.

/** Container images run on the management VM. Tags are exact releases, never `latest`. */
export const images = {
  omni: "ghcr.io/siderolabs/omni:v1.12.2",
  postgres: "docker.io/library/postgres:17.6-bookworm",
} as const;

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
} as const;

export type ChartRef = (typeof charts)[keyof typeof charts];

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
