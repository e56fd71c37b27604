// Pure parts of the verification: which tools, and the command lines each
// check runs, so they are tested without the tools.

export const requiredTools = ["omnictl", "talosctl", "kubectl-validate", "compose-check", "gitleaks", "actionlint", "cloudflared", "glance", "oauth2-proxy", "prometheus", "promtool", "alertmanager", "amtool", "alloy-syntax", "logql-check", "restic", "backup-crds", "kubevirt-check"] as const;

export interface ArtifactEntry {
  path: string;
  kind: string;
  meta?: Record<string, string>;
}

export interface Check {
  tool: string;
  artifact: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const minor = (v: string) => v.split(".").slice(0, 2).join(".");

/**
 * Talos: a full machine config generated with the cluster's patches applied
 * (as Omni applies them), then validated for the platform it runs on.
 */
export function talosCommands(cluster: string, patches: { file: string; meta: Record<string, string> }[], outDir: string) {
  const meta = patches[0]?.meta ?? {};
  const generate = [
    "gen",
    "config",
    cluster,
    `https://${cluster}.invalid:6443`,
    "--kubernetes-version",
    meta.kubernetes ?? "",
    "--talos-version",
    `v${minor(meta.talos ?? "")}`,
    "--with-docs=false",
    "--with-examples=false",
    "--output-types",
    "controlplane,worker",
    "--output",
    outDir,
    "--force",
    ...patches.flatMap((p) => ["--config-patch", `@${p.file}`]),
  ];
  const mode = meta.mode ?? "metal";
  const validate = ["controlplane", "worker"].map((machine) => ({ machine, mode, args: ["validate", "--mode", mode, "--config", `${outDir}/${machine}.yaml`] }));
  return { generate, validate };
}

/**
 * The Kubernetes version whose schemas check the stack's objects: the
 * cluster's own when kubectl-validate has it, else the newest it has (noted
 * in the output).
 */
export function kubernetesVersionFor(index: ArtifactEntry[], known: string[]): string {
  const wanted = index.find((a) => a.meta?.kubernetes)?.meta?.kubernetes;
  const newest = [...known].sort((a, b) => Number(b.split(".")[1]) - Number(a.split(".")[1]))[0];
  return wanted && known.includes(minor(wanted)) ? minor(wanted) : newest;
}
