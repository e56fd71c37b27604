// Custom resources checked against their CRD's OpenAPI schema, through the
// validators the @kubernetes-models packages generate from those CRDs (pinned
// in package.json). Built-in kinds go to kubectl-validate instead.

/** apiVersion -> npm package that carries its CRD schemas. */
export const crdPackages: Record<string, string> = {
  "argoproj.io/v1alpha1": "@kubernetes-models/argo-cd",
  "cert-manager.io/v1": "@kubernetes-models/cert-manager",
  "cilium.io/v2": "@kubernetes-models/cilium",
  "cilium.io/v2alpha1": "@kubernetes-models/cilium",
  "external-secrets.io/v1": "@kubernetes-models/external-secrets",
  "gateway.networking.k8s.io/v1": "@kubernetes-models/gateway-api",
  "postgresql.cnpg.io/v1": "@kubernetes-models/cloudnative-pg",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator",
  "monitoring.coreos.com/v1alpha1": "@kubernetes-models/prometheus-operator",
};

/** Velero's and VolSync's objects: no npm package carries their schemas; tools/backup-crds checks them with their own Go types (and Velero's CRDs). */
export const backupApiVersions = ["velero.io/v1", "volsync.backube/v1alpha1"];

/** Built-in API groups (core, apps, batch, *.k8s.io): kubectl-validate knows their schemas. Gateway API is a CRD despite its k8s.io group. */
export function isBuiltIn(apiVersion: string): boolean {
  if (crdPackages[apiVersion]) return false;
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return !group.includes(".") || group.endsWith(".k8s.io");
}

export const modelModule = (apiVersion: string, kind: string): string | undefined => {
  const pkg = crdPackages[apiVersion];
  return pkg ? `${pkg}/${apiVersion}/${kind}` : undefined;
};

// A real dynamic import (the packages are ES modules); TypeScript would turn `import()` into require().
const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

/** Validates one custom resource; resolves to undefined when valid, or the validator's message. */
export async function validateCustomResource(obj: { apiVersion: string; kind: string }): Promise<string | undefined> {
  const module = modelModule(obj.apiVersion, obj.kind);
  if (!module) throw new Error(`no schema package for ${obj.apiVersion}; add it to verify/crdModels.ts`);
  const exported = (await importEsm(module))[obj.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!exported) throw new Error(`${module} has no ${obj.kind}`);
  try {
    new exported(obj).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
