// The gaming launch page (story 6.1.3): start and stop the gaming VM from a
// browser. Its server is the program's own (gaming/web/), bundled into one
// file at plan time and run by the pinned Node image from a ConfigMap, so
// the page and `npm run gaming` are the same code. Behind the SSO proxy like
// the family's apps; the page itself serves only the admin and the `gamers`
// group (an admin adds a child to both family-validated and gamers). It
// reaches the Proxmox API with the gaming control's own token, probes
// Sunshine on the VM, and tells ntfy when the VM is ready. When KubeVirt has
// the GPU (hypervisor.gpu.consumer), it starts the KubeVirt session instead,
// through the API server, with the Role GamingSessions gives its namespace.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { ntfyPort } from "../components/monitoring/ntfy";
import { generatedSecretNameOf } from "../components/service/manifests";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";
import { sessionsNamespace } from "../components/gaming/kubevirt";
import { sunshinePort } from "../gaming/transport";

export const gamingLaunchPort = 8080;
/** What the stack gives the page (prod's GamingControl and config), as its environment. */
export const gamingLaunchEnv = ["GAMING_BACKEND", "PROXMOX_ENDPOINT", "PROXMOX_NODE", "PROXMOX_INSECURE", "PROXMOX_GAMING_TOKEN", "GAMING_VMID", "GAMING_USABLE_MIB", "GAMING_SESSION", "GAMING_STREAM_SERVICE", "NTFY_URL", "NTFY_TOPIC", "NTFY_TOKEN"] as const;
const appDir = "/app";
const bundleName = "launch.js";

/** The directory holding gaming/web/main.ts: the project's root, from its sources or from build/. */
function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "gaming", "web", "main.ts"))) return dir;
    if (path.dirname(dir) === dir) throw new Error("gaming/web/main.ts: not found above services/; expected the project's sources beside the program");
  }
}

const cache = globalThis as { homelabLaunchBundle?: string };
/**
 * The page's server in one file (Node's own modules only), the same bytes on
 * every machine for the same sources. esbuild's command, run once per process:
 * its in-process API keeps a service thread alive, one more for every fresh
 * module registry (the tests make many).
 */
export function launchBundle(): string {
  cache.homelabLaunchBundle ??= execFileSync(
    require.resolve("esbuild/bin/esbuild"),
    ["gaming/web/main.ts", "--bundle", "--platform=node", "--format=cjs", "--target=node22", "--legal-comments=none", "--log-level=error"],
    { cwd: projectRoot(), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  return cache.homelabLaunchBundle;
}

export const gamingLaunch: ServiceEntry = {
  name: "gaming-launch",
  home: "prod",
  dev: { skip: "the gaming VM is prod's host's" },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("5m", "40Mi", "200m", "128Mi") } },
  auth: "sso",
  exposure: { kind: "tunnel", subdomain: "play", port: gamingLaunchPort },
  volumes: [],
  backup: "none",
  backupNote: "no state: the VM's state is Proxmox's, the page reads it on every visit",
  health: { path: "/healthz", port: gamingLaunchPort },
  dashboard: { group: "Play", title: "Gaming", icon: "si:steam", description: "Start the gaming PC, then play with Moonlight" },
  secrets: [],
  generatedSecret: { keys: gamingLaunchEnv, why: "the gaming control's Proxmox token, ntfy's publisher token, and where the host and the VM are" },
  egress: [
    // The Proxmox API and Sunshine on the home LAN: outside the cluster, so `world`, on these two ports only.
    { why: "the Proxmox API (start, stop, state) and Sunshine's port on the gaming VM (ready to stream)", to: "world", ports: [8006, 47989] },
    // A KubeVirt session's stream address is a LoadBalancer of this cluster: Cilium sends it to the session's pod.
    { why: "Sunshine's port in the KubeVirt session (ready to stream)", to: { namespace: sessionsNamespace }, ports: [sunshinePort] },
    { why: "the ready notice", to: { namespace: "ntfy" }, ports: [ntfyPort] },
  ],
  kubernetesApi: { why: "with KubeVirt given the GPU (hypervisor.gpu.consumer), it reads, starts and stops the gaming session; the Role in namespace gaming is GamingSessions'" },
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(gamingLaunch, ctx, {
      containers: { server: { image: serviceImages.node, args: [`${appDir}/${bundleName}`], runAs: 1000, env: { PORT: String(gamingLaunchPort), NODE_ENV: "production" } } },
      configMaps: { code: { path: appDir, files: { [bundleName]: launchBundle() } } },
      envFromSecrets: [generatedSecretNameOf(gamingLaunch)],
    }),
};
