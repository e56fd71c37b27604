// The cloud stack: Omni on the management VM and the CLOUD cluster on OCI.
import * as pulumi from "@pulumi/pulumi";
import { secret } from "../config/load";
import { CloudConfig } from "../config/schema";
import { IdentityPlane, IdentitySummary } from "../components/IdentityPlane";
import * as cloudflare from "@pulumi/cloudflare";
import { OmniServer } from "../components/OmniServer";
import { TunnelEdge } from "../components/TunnelEdge";
import { TwingateAccess } from "../components/TwingateAccess";
import { twingateKeyEnv, vmTelemetryWorkload } from "../components/monitoring/vmTelemetry";
import { managementVmDynamicGroup, ociUsagePolicyStatements } from "../components/monitoring/ociUsage";
import { privateResources, resourceRow } from "../components/twingate/model";
import * as twingate from "@twingate/pulumi-twingate";
import { twingateClientRepository } from "../config/versions";
import { accessClientId } from "../components/identity/blueprints";
import { omniAdminLabelRule } from "../components/identity/omniSaml";
import { omnictlWithFile } from "../components/omni/omnictl";
import { etcdBackupStoreYaml } from "../components/omni/etcdBackups";
import { catalog } from "../services";
import { TalosCluster } from "../components/TalosCluster";
import { formerNames } from "../components/lifecycle";
import { talosRequirements } from "../components/platform/talos";
import { PlatformOutputs, clusterPlatform } from "./platform";
import { ociProvider } from "./providers";
import { cloudBackupStore, clusterBackup } from "./backup";
import { BackupStore } from "../components/backup/store";
import { vmBackupEnvValues, vmBackupWorkload } from "../components/backup/vmBackup";

/** What the cloud stack exports; dev and prod read the `omni` part through a StackReference. */
export interface CloudOutputs {
  omni: {
    endpoint: pulumi.Output<string>;
    publicIp: pulumi.Output<string>;
    caCertPem: pulumi.Output<string>;
    serviceAccountKey: pulumi.Output<string>;
  };
  /** Authentik: its hostname, OIDC clients (who each admits) and service accounts. */
  identity: IdentitySummary;
  /** Every public hostname: its tier, who may enter, the tunnel that carries it. */
  edge: { hostname: string; tier: string; admits: string; tunnel: string }[];
  /** What Twingate publishes from home: each resource, its ports, who may use it. */
  privateAccess: ReturnType<typeof resourceRow>[];
  /** The offsite bucket and its S3 key (the secret key is a secret): dev and prod read it. */
  backupStore: BackupStore;
  /** akadmin's first password (secret), for the first sign-in (docs/runbooks/identity.md). */
  authentikBootstrapPassword: pulumi.Output<string>;
  /** Absent until the Talos image exists (the first deploy builds Omni alone). */
  cluster?: { name: string; kubeconfig: pulumi.Output<string> };
  platform?: PlatformOutputs;
  /** What the first deploy leaves to do by hand, while the cluster waits for its image. */
  nextStep?: string;
}

/** The stack's output while `homelab:oci.images.talos` is unset. */
export const waitingForTalosImage =
  "Omni is up; the CLOUD cluster waits for its Talos image: download it from Omni, import it into OCI, " +
  "set homelab:oci.images.talos and deploy again (docs/runbooks/first-deploy.md, step 1.5)";

const pick = <T, K extends keyof T>(o: T, keys: K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

export function cloudStack(stack: string, config: CloudConfig): CloudOutputs {
  const provider = ociProvider(config.oci, secret("ociPrivateKey"));
  // First: the bucket exists before anything writes to it, and before the cluster waits for its image.
  const backupStore = cloudBackupStore(config.backup, provider, config.oci);
  const backups = clusterBackup(backupStore);
  const domain = config.services.domain;
  const writer = { ...pick(config.platform.bitwarden, ["organizationId", "projectId", "apiUrl", "identityUrl"]), accessToken: secret("bitwardenWriterToken") };
  const identity = new IdentityPlane("identity", {
    domain,
    omniHostname: config.omni.hostname,
    catalog,
    provisioning: { repository: config.provisioning.repository, dispatchToken: secret("githubDispatchToken") },
    adminEmail: config.omni.initialUsers[0],
    accessTeam: config.edge.accessTeam,
    bitwarden: writer,
  });
  const edge = new TunnelEdge("edge", {
    provider: new cloudflare.Provider("cloudflare", { apiToken: secret("cloudflareApiToken") }),
    ...config.edge,
    domain,
    catalog,
    accessClient: { clientId: accessClientId, clientSecret: identity.clientSecret(accessClientId), issuer: `https://auth.${domain}/application/o/${accessClientId}/` },
    bitwarden: writer,
  });
  const privateAccess = new TwingateAccess("twingate", {
    provider: new twingate.Provider("twingate", { apiToken: secret("twingateApiToken"), network: config.twingate.network }),
    network: config.twingate.network,
    resources: privateResources({ nfsServer: config.platform.storage.nfs.server, telemetryAddress: config.monitoring.telemetryAddress, domain, catalog, publicHostnames: edge.routes.map((r) => r.hostname) }),
    bitwarden: writer,
  });
  const twingateClientImage = `${twingateClientRepository}:latest@${config.twingate.clientImageDigest}`;
  const omni = new OmniServer("omni", {
    stack,
    provider,
    oci: config.oci,
    omni: config.omni,
    sshPublicKey: config.sshPublicKey,
    sshPrivateKey: secret("sshPrivateKey"),
    workloads: [
      { workload: identity.workload, env: identity.env },
      { workload: edge.workload, env: edge.env },
      // Authentik's database, dumped every night to the offsite store.
      { workload: vmBackupWorkload(backups.store), env: pulumi.output(backups.keys).apply(vmBackupEnvValues) },
      {
        workload: vmTelemetryWorkload({ address: config.monitoring.telemetryAddress, twingateClientImage }),
        env: privateAccess.managementVmKey.apply((key) => ({ [twingateKeyEnv]: Buffer.from(key).toString("base64") })),
      },
    ],
    samlMetadataFile: identity.samlMetadataFile,
    // The Always Free usage job reads the tenancy's inventory as the VM itself.
    instancePrincipal: { dynamicGroup: managementVmDynamicGroup, statements: ociUsagePolicyStatements(managementVmDynamicGroup) },
    etcdBackupsToS3: true,
  });
  const edgeTable = edge.routes.map((r) => ({ hostname: r.hostname, tier: r.tier, admits: r.admits, tunnel: r.tunnel }));
  const omniAccess = { endpoint: omni.endpoint, serviceAccountKey: omni.serviceAccountKey, caCertPem: omni.caCertPem };
  // Members of Authentik's admin group are Omni admins (components/identity/omniSaml.ts).
  omnictlWithFile("omni-saml-admins", { access: omniAccess, subcommand: "apply", yamlText: omniAdminLabelRule() }, { dependsOn: [omni] });
  // Where Omni writes its clusters' etcd snapshots (the templates set each cluster's interval).
  const etcdStore = { bucket: backupStore.omniEtcdBucket ?? backupStore.bucket, region: backupStore.region, endpoint: backupStore.endpoint };
  const etcdStoreYaml = pulumi.secret(pulumi.all([backupStore.accessKeyId, backupStore.secretAccessKey]).apply(([accessKeyId, secretAccessKey]) => etcdBackupStoreYaml(etcdStore, { accessKeyId, secretAccessKey })));
  omnictlWithFile("omni-etcd-backup-store", { access: omniAccess, subcommand: "apply", yamlText: etcdStoreYaml }, { dependsOn: [omni] });
  const omniOutputs = { endpoint: omni.endpoint, publicIp: omni.publicIp, caCertPem: omni.caCertPem, serviceAccountKey: omni.serviceAccountKey };
  const talosImage = config.oci.images.talos;
  if (talosImage === undefined) return { omni: omniOutputs, backupStore, identity: identity.summary, authentikBootstrapPassword: identity.bootstrapPassword, edge: edgeTable, privateAccess: privateAccess.table, nextStep: waitingForTalosImage };
  const cluster = new TalosCluster(
    "cluster",
    {
      stack,
      name: config.cluster.name,
      versions: config.cluster.versions,
      omni: omniAccess,
      talos: talosRequirements(config.platform),
      // The family's cloud services keep their local-path volumes on these boot volumes.
      protectMachines: true,
      machines: {
        platform: "oci",
        provider,
        compartmentId: config.oci.compartmentOcid,
        availabilityDomain: config.oci.availabilityDomain,
        subnetId: omni.subnetId,
        imageId: talosImage,
        nodes: config.cluster.nodes,
      },
    },
    // Earlier releases named the component after the cluster.
    formerNames("cluster", config.cluster.name),
  );
  const platform = clusterPlatform({ cluster: config.cluster.name, site: "oci", nodes: config.cluster.nodes, platform: config.platform, kubeconfig: cluster.kubeconfig, omni: omniAccess, clusterReady: cluster, stackKind: "cloud", services: config.services, egressProxy: omni.egressProxy, tunnel: "cloud", twingate: { role: "client", image: twingateClientImage, keyId: privateAccess.cloudNodesKeyId }, telemetry: { sendTo: config.monitoring.telemetryAddress, stack: "cloud" }, backup: backups });
  return {
    omni: omniOutputs,
    backupStore,
    identity: identity.summary,
    authentikBootstrapPassword: identity.bootstrapPassword,
    edge: edgeTable,
    privateAccess: privateAccess.table,
    cluster: { name: config.cluster.name, kubeconfig: cluster.kubeconfig },
    platform: platform.outputs,
  };
}
