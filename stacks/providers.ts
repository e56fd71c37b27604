// Explicit providers built from validated config, so no resource depends on
// ambient provider configuration.
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as k8s from "@pulumi/kubernetes";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { OciConfig, ProxmoxConfig } from "../config/schema";

export function proxmoxProvider(config: ProxmoxConfig, apiToken: pulumi.Input<string>, sshPrivateKey: pulumi.Input<string>): proxmox.Provider {
  return new proxmox.Provider("proxmox", {
    endpoint: config.endpoint,
    insecure: config.insecure,
    apiToken,
    // Uploading ISOs and some host settings go over SSH.
    ssh: { agent: false, username: config.sshUser, privateKey: sshPrivateKey, nodes: [{ name: config.nodeName, address: config.address }] },
  });
}

export function ociProvider(config: OciConfig, privateKey: pulumi.Input<string>): oci.Provider {
  return new oci.Provider("oci", {
    tenancyOcid: config.tenancyOcid,
    userOcid: config.userOcid,
    fingerprint: config.fingerprint,
    privateKey,
    region: config.region,
  });
}

/** A Kubernetes provider for one cluster; server-side apply so Argo CD and Pulumi never fight over fields. */
export function kubernetesProvider(name: string, kubeconfig: pulumi.Input<string>, opts: pulumi.CustomResourceOptions = {}): k8s.Provider {
  return new k8s.Provider(name, { kubeconfig, enableServerSideApply: true }, opts);
}
