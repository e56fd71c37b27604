// One rendered manifest as a Pulumi resource: the core kinds the program
// applies as their typed resources (so Pulumi awaits them as it knows how),
// anything else as a custom resource. Extra annotations (a readiness wait)
// are merged into the manifest's own.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Manifest } from "./context";

export function manifestResource(id: string, m: Manifest, opts: pulumi.CustomResourceOptions, annotations?: Record<string, string>): pulumi.Resource {
  const object = annotations ? { ...m, metadata: { ...m.metadata, annotations: { ...(m.metadata.annotations ?? {}), ...annotations } } } : m;
  switch (m.kind) {
    case "Namespace":
      return new k8s.core.v1.Namespace(id, object as k8s.core.v1.NamespaceArgs, opts);
    case "LimitRange":
      return new k8s.core.v1.LimitRange(id, object as k8s.core.v1.LimitRangeArgs, opts);
    case "PersistentVolumeClaim":
      return new k8s.core.v1.PersistentVolumeClaim(id, object as k8s.core.v1.PersistentVolumeClaimArgs, opts);
    case "Service":
      return new k8s.core.v1.Service(id, object as k8s.core.v1.ServiceArgs, opts);
    case "ServiceAccount":
      return new k8s.core.v1.ServiceAccount(id, object as k8s.core.v1.ServiceAccountArgs, opts);
    case "ConfigMap":
      return new k8s.core.v1.ConfigMap(id, object as k8s.core.v1.ConfigMapArgs, opts);
    case "Deployment":
      return new k8s.apps.v1.Deployment(id, object as unknown as k8s.apps.v1.DeploymentArgs, opts);
    case "DaemonSet":
      return new k8s.apps.v1.DaemonSet(id, object as unknown as k8s.apps.v1.DaemonSetArgs, opts);
    default:
      // A core kind as a custom resource would get the token kubernetes:v1:<Kind>, which is not the provider's core/v1 one.
      if (!m.apiVersion.includes("/")) throw new Error(`manifestResource ${id}: core kind ${m.kind} has no typed resource here; add its case`);
      return new k8s.apiextensions.CustomResource(id, object as k8s.apiextensions.CustomResourceArgs, opts);
  }
}
