// The documents `npm run plan` writes under out/<stack>/: one per document,
// in the consuming tool's format, never with a secret value.
import { parse, parseAllDocuments } from "yaml";
import { fileFromDeployScript, kubernetesObject, kubernetesTypeOf } from "../../plan/artifacts";
import { Plan, planStack } from "../../plan/plan";
import { leakedFakeSecrets } from "../../plan/secrets";

const plans: Partial<Record<"dev" | "prod" | "cloud", Plan>> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod", "cloud"] as const) plans[stack] = await planStack(stack);
});
const artifact = (stack: "dev" | "prod" | "cloud", path: string) => plans[stack]?.artifacts.find((a) => a.path === path);

describe("generated documents", () => {
  it("writes the Omni template and classes of each cluster, and each Talos patch on its own with the versions to validate against", () => {
    const template = artifact("prod", "omni/prod/cluster-template.yaml");
    expect(parseAllDocuments(template?.content ?? "").map((d) => d.toJSON().kind)).toEqual(["Cluster", "ControlPlane", "Workers"]);
    expect(artifact("prod", "omni/prod/machine-classes.yaml")?.content).toContain("MachineClasses.omni.sidero.dev");
    const patch = artifact("prod", "talos/prod/cluster-cilium-cni.yaml");
    expect(parse(patch?.content ?? "")).toEqual({ cluster: { network: { cni: { name: "none" } }, proxy: { disabled: true } } });
    expect(patch?.meta).toEqual({ cluster: "prod", talos: "1.13.10", kubernetes: "1.36.3", mode: "metal" });
    expect(artifact("cloud", "talos/cloud/cluster-cilium-cni.yaml")?.meta?.mode).toBe("cloud");
  });

  it("writes the management VM's compose project with an .env that names its variables but holds no value", () => {
    const compose = parse(artifact("cloud", "compose/compose.yaml")?.content ?? "");
    expect(Object.keys(compose.services)).toEqual(["authentik-server", "authentik-worker", "cloudflared", "backup-tools", "backup", "twingate-client", "alloy", "oci-usage", "egress-proxy", "omni", "postgres"]);
    // The proxy's configuration sits where the compose file mounts it from, listening on the VM's private address.
    expect(artifact("cloud", "compose/egress-proxy/squid.conf")?.content).toContain("http_port 10.0.1.10:3128\n");
    const env = artifact("cloud", "compose/.env")?.content ?? "";
    expect(env.split("\n")).toEqual(expect.arrayContaining(["POSTGRES_PASSWORD=[secret]", "AUTHENTIK_SECRET_KEY=[secret]", "AUTHENTIK_DB_PASSWORD=[secret]", "AK_OIDC_SECRET_VAULTWARDEN_SSO=[secret]", "BACKUP_PASSWORD_B64=[secret]", "BACKUP_S3_SECRET_ACCESS_KEY=[secret]"]));
    // Authentik's database goes to its own repository; its password and key come from .env.
    expect(compose.services.backup.environment).toMatchObject({ RESTIC_REPOSITORY: expect.stringMatching(/\/restic\/management-vm\/authentik-database$/), AWS_SECRET_ACCESS_KEY: "${BACKUP_S3_SECRET_ACCESS_KEY:?set in .env}" });
    // The VM's Alloy configuration sits where its service mounts it from.
    expect(artifact("cloud", "compose/monitoring/config.alloy")).toMatchObject({ kind: "alloy-config", meta: { host: "management-vm" } });
    expect(env.split("\n").filter(Boolean).every((l) => /^[A-Z0-9_]+=\[secret\]$/.test(l))).toBe(true);
    // Authentik's blueprint sits where the worker's volume mounts it from.
    expect(artifact("cloud", "compose/authentik/blueprints/homelab.yaml")?.content).toMatch(/^version: 1\n/);
    expect(artifact("cloud", "cloud-init/oci-mgmt.yaml")?.content.startsWith("#cloud-config\n")).toBe(true);
  });

  it("writes every Kubernetes object Pulumi applies, Argo CD Applications included, with secret fields left out and named", () => {
    const kinds = (plans.prod?.artifacts ?? []).filter((a) => a.kind === "kubernetes-object").map((a) => a.meta?.kind);
    expect(kinds).toEqual(expect.arrayContaining(["Application", "AppProject", "ClusterIssuer", "ClusterSecretStore", "ExternalSecret", "Gateway", "CiliumLoadBalancerIPPool", "Namespace", "LimitRange", "Secret"]));
    const token = parse(artifact("dev", "kubernetes/secret-external-secrets-bitwarden-access-token.yaml")?.content ?? "");
    expect(token).toEqual({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "bitwarden-access-token", namespace: "external-secrets", annotations: { "homelab.io/redacted-fields": "stringData" } } });
    const app = parse(artifact("prod", "kubernetes/application-argocd-prod-longhorn.yaml")?.content ?? "");
    expect(app).toMatchObject({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", spec: { source: { chart: "longhorn" } } });
    expect(artifact("prod", "helm/prod-cilium.yaml")?.meta).toEqual({ chart: "cilium" });
  });

  it("never contains a secret value", () => {
    for (const stack of ["dev", "prod", "cloud"] as const) {
      expect(leakedFakeSecrets((plans[stack]?.artifacts ?? []).map((a) => a.content).join("\n"))).toEqual([]);
    }
  });
});

describe("artifact helpers", () => {
  it("maps Pulumi Kubernetes type tokens to apiVersion and kind, and skips what is not an object", () => {
    expect(kubernetesTypeOf("kubernetes:core/v1:Secret")).toEqual({ apiVersion: "v1", kind: "Secret" });
    expect(kubernetesTypeOf("kubernetes:cert-manager.io/v1:ClusterIssuer")).toEqual({ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer" });
    expect(kubernetesTypeOf("kubernetes:helm.sh/v3:Release")).toBeUndefined();
    expect(kubernetesTypeOf("kubernetes:yaml/v2:ConfigFile")).toBeUndefined();
    expect(kubernetesTypeOf("pulumi:providers:kubernetes")).toBeUndefined();
    expect(kubernetesObject("kubernetes:core/v1:Secret", { metadata: { name: "x" }, data: "[secret]" })).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "x", annotations: { "homelab.io/redacted-fields": "data" } } });
  });

  it("takes the compose file out of the deploy script's heredoc", () => {
    const script = "set -eu\nsudo tee /opt/p/other.conf >/dev/null <<'HOMELAB_EOF'\nhttp_port 1\nHOMELAB_EOF\nsudo tee /opt/p/compose.yaml >/dev/null <<'HOMELAB_EOF'\nname: x\nservices: {}\nHOMELAB_EOF\ncd /opt";
    expect(fileFromDeployScript(script, "compose.yaml")).toBe("name: x\nservices: {}\n");
    expect(fileFromDeployScript(script, "other.conf")).toBe("http_port 1\n");
    expect(fileFromDeployScript(script, "compose.yml")).toBeUndefined();
    expect(fileFromDeployScript("no heredoc", "compose.yaml")).toBeUndefined();
  });
});
