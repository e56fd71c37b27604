// The Secret a namespace's backup pods read (the repositories' password and
// the store's key, and for a VolSync copy its repository), created from the
// stack's secrets; shared by the cluster's drills and each service's copies.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackupKeys, OffsiteSecretSpec, offsiteSecretData } from "./kubernetes";
import { StoreLocation } from "./store";

export interface ClusterBackup {
  store: StoreLocation;
  keys: pulumi.Input<BackupKeys>;
}

export function offsiteSecretResource(id: string, spec: OffsiteSecretSpec, backup: ClusterBackup, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
  const stringData = pulumi.output(backup.keys).apply((k) => offsiteSecretData(backup.store, k, spec.repository));
  return new k8s.core.v1.Secret(id, { metadata: { name: spec.name, namespace: spec.namespace }, type: "Opaque", stringData: pulumi.secret(stringData) }, opts);
}
