// Omni on Oracle Cloud: the OCI network, a reserved public IP, the management
// VM (A1.Flex) with Docker from cloud-init, and the Compose project (Omni,
// PostgreSQL and the static-IP egress proxy) copied over SSH and started.
// Exposes what clusters need to join, and the proxy's address.
import * as command from "@pulumi/command";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { OciConfig, OmniServerConfig } from "../config/schema";
import { formerNames, ignoreLegacyTriggers } from "./lifecycle";
import { VmWorkload, cloudInit, composeYaml, deployScript, initialServiceAccountKeyPath } from "./omni/managementVm";
import { EgressProxyArgs, egressProxyPort, squidConf, squidConfPath } from "./omni/egressProxy";
import { shellQuote } from "./shell";
import { ociMachineTags } from "./tags";

export interface OmniServerArgs {
  stack: string;
  provider: oci.Provider;
  oci: OciConfig;
  omni: OmniServerConfig;
  sshPublicKey: string;
  sshPrivateKey: pulumi.Input<string>;
  /** What else the VM runs in the same compose project (the identity plane), and the .env values it reads (secret). */
  workloads?: { workload: VmWorkload; env: pulumi.Input<Record<string, string>> }[];
  /** Omni signs in through this SAML metadata file, which a workload's step writes into the project directory. */
  samlMetadataFile?: string;
  /** What the VM may do as itself (an instance principal: a dynamic group of this VM alone, and its policy in the tenancy). */
  instancePrincipal?: { dynamicGroup: string; statements: string[] };
  /** Omni writes its clusters' etcd backups to S3 (the store itself is applied with omnictl once Omni is up). */
  etcdBackupsToS3?: boolean;
}

/** .env lines of the workloads; a value on two lines would break the file, so it is refused by name. */
function envLines(env: Record<string, string>[]): string {
  return env
    .flatMap((e) => Object.entries(e))
    .map(([k, v]) => {
      if (/[\r\n]/.test(v)) throw new Error(`OmniServer: .env value of ${k} holds a line break; expected a single-line secret`);
      return `${k}=${v}\n`;
    })
    .join("");
}

/** One ingress rule of the security list, as declared by config. */
export interface DeclaredPort {
  protocol: "tcp" | "udp";
  port: number;
  sources: string[];
  purpose: string;
}

/** Every port the security list opens, derived from config alone (the policy pack checks the same list). */
export function declaredPorts(ociConfig: OciConfig, omni: OmniServerConfig): DeclaredPort[] {
  const anywhere = ["0.0.0.0/0"];
  return [
    { protocol: "tcp", port: 22, sources: ociConfig.network.adminCidrs, purpose: "SSH to the management VM (admins only)" },
    { protocol: "tcp", port: omni.ports.api, sources: ociConfig.network.adminCidrs, purpose: "Omni API and UI (admins only)" },
    { protocol: "udp", port: omni.ports.sideroLinkWireguard, sources: anywhere, purpose: "Omni SideroLink WireGuard (machines join from changing IPs)" },
    { protocol: "tcp", port: omni.ports.machineApi, sources: anywhere, purpose: "Omni machine API (join token required)" },
    { protocol: "tcp", port: omni.ports.kubernetesProxy, sources: ociConfig.network.adminCidrs, purpose: "Omni Kubernetes proxy (kubectl, admins only)" },
  ];
}

const protocolNumber = { tcp: "6", udp: "17" } as const;

export class OmniServer extends pulumi.ComponentResource {
  readonly subnetId: pulumi.Output<string>;
  readonly vcnId: pulumi.Output<string>;
  readonly publicIp: pulumi.Output<string>;
  /** URL omnictl and the clusters' Omni access use. */
  readonly endpoint: pulumi.Output<string>;
  readonly serviceAccountKey: pulumi.Output<string>;
  /** Omni's self-signed certificate (public): omnictl trusts it through SSL_CERT_FILE. */
  readonly caCertPem: pulumi.Output<string>;
  readonly composeYaml: pulumi.Output<string>;
  readonly cloudInit: string;
  /** Where the cluster's services reach the internet from the reserved public IP (Squid, private address only). */
  readonly egressProxy: { host: string; port: number };

  constructor(name: string, args: OmniServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:OmniServer", name, {}, opts);
    const { oci: o, omni } = args;
    const child = { parent: this, provider: args.provider };
    const compartmentId = o.compartmentOcid;

    const vcn = new oci.core.Vcn(`${name}-vcn`, { compartmentId, cidrBlocks: [o.network.vcnCidr], displayName: "homelab", dnsLabel: "homelab" }, child);
    const igw = new oci.core.InternetGateway(`${name}-igw`, { compartmentId, vcnId: vcn.id, displayName: "homelab-igw", enabled: true }, child);
    const routes = new oci.core.RouteTable(
      `${name}-routes`,
      { compartmentId, vcnId: vcn.id, displayName: "homelab-default", routeRules: [{ destination: "0.0.0.0/0", destinationType: "CIDR_BLOCK", networkEntityId: igw.id }] },
      child,
    );
    const ingress = [
      // Nodes, the management VM and SideroLink talk freely inside the VCN.
      { protocol: "all", source: o.network.vcnCidr, description: "inside the VCN" },
      ...declaredPorts(o, omni).flatMap((p) =>
        p.sources.map((source) => ({
          protocol: protocolNumber[p.protocol],
          source,
          description: p.purpose,
          ...(p.protocol === "tcp" ? { tcpOptions: { min: p.port, max: p.port } } : { udpOptions: { min: p.port, max: p.port } }),
        })),
      ),
    ];
    const securityList = new oci.core.SecurityList(
      `${name}-security`,
      {
        compartmentId,
        vcnId: vcn.id,
        displayName: "homelab",
        egressSecurityRules: [{ protocol: "all", destination: "0.0.0.0/0", description: "outbound" }],
        ingressSecurityRules: ingress,
      },
      child,
    );
    const subnet = new oci.core.Subnet(
      `${name}-subnet`,
      { compartmentId, vcnId: vcn.id, cidrBlock: o.network.subnetCidr, displayName: "homelab", dnsLabel: "nodes", routeTableId: routes.id, securityListIds: [securityList.id], prohibitPublicIpOnVnic: false },
      child,
    );

    this.cloudInit = cloudInit();
    const vm = new oci.core.Instance(
      `${name}-vm`,
      {
        compartmentId,
        availabilityDomain: o.availabilityDomain,
        displayName: omni.vm.name,
        shape: "VM.Standard.A1.Flex",
        shapeConfig: { ocpus: omni.vm.ocpus, memoryInGbs: omni.vm.memoryGb },
        sourceDetails: { sourceType: "image", sourceId: o.images.ubuntu, bootVolumeSizeInGbs: String(omni.vm.bootVolumeGb) },
        // The public address is the reserved IP below, so the VNIC gets no ephemeral one.
        createVnicDetails: { subnetId: subnet.id, privateIp: omni.vm.privateIp, assignPublicIp: "false", hostnameLabel: omni.vm.name },
        metadata: { ssh_authorized_keys: args.sshPublicKey, user_data: Buffer.from(this.cloudInit).toString("base64") },
        freeformTags: ociMachineTags({ stack: args.stack, backup: "volume-backup", role: "management" }),
        preserveBootVolume: true,
      },
      {
        ...child,
        // Omni's etcd (every cluster's identity) and PostgreSQL live on its boot volume: no diff may
        // delete it. A replacement keeps the private IP, which OCI refuses while the old VM holds it.
        protect: true,
        deleteBeforeReplace: true,
        ...formerNames(`${name}-vm`, omni.vm.name),
      },
    );

    if (args.instancePrincipal) {
      const ip = args.instancePrincipal;
      // IAM lives in the tenancy (and its home region, where Always Free resources must be anyway).
      const group = new oci.identity.DynamicGroup(
        `${name}-dynamic-group`,
        { compartmentId: o.tenancyOcid, name: ip.dynamicGroup, description: "the homelab management VM", matchingRule: pulumi.interpolate`ALL {instance.id = '${vm.id}'}` },
        child,
      );
      new oci.identity.Policy(
        `${name}-vm-policy`,
        { compartmentId: o.tenancyOcid, name: `${ip.dynamicGroup}-reads`, description: "what the homelab management VM reads as itself", statements: ip.statements },
        { ...child, dependsOn: [group] },
      );
    }

    // Omni's state lives on this boot volume: weekly backups, four kept (inside the free tier's five).
    const backupPolicy = new oci.core.VolumeBackupPolicy(
      `${name}-backup-policy`,
      {
        compartmentId,
        displayName: "homelab-weekly",
        schedules: [{ backupType: "INCREMENTAL", period: "ONE_WEEK", dayOfWeek: "SUNDAY", hourOfDay: 3, retentionSeconds: 4 * 7 * 24 * 3600, timeZone: "UTC" }],
      },
      child,
    );
    new oci.core.VolumeBackupPolicyAssignment(`${name}-boot-backup`, { assetId: vm.bootVolumeId, policyId: backupPolicy.id }, child);

    // The reserved IP attaches to the VM's private IP object, looked up from the VM's own address (so
    // only once the VM exists); a missing one is an error, never an empty ID.
    const privateIpId = oci.core
      .getPrivateIpsOutput({ ipAddress: vm.privateIp, subnetId: subnet.id }, { parent: this, provider: args.provider })
      .apply((r) => {
        const found = r.privateIps.find((p) => p.ipAddress === r.ipAddress);
        if (!found?.id) throw new Error(`OmniServer ${name}: no private IP ${r.ipAddress} in subnet ${r.subnetId}; the management VM's VNIC is not attached yet`);
        return found.id;
      });
    const publicIp = new oci.core.PublicIp(
      `${name}-public-ip`,
      { compartmentId, lifetime: "RESERVED", displayName: "homelab-static", privateIpId },
      // The reserved address is what DNS and every machine joining Omni point at: losing it strands them.
      { ...child, protect: true },
    );

    // Omni's TLS identity for its API and Kubernetes proxy (replaced by the tunnel's edge certificate for browsers).
    const tlsKey = new tls.PrivateKey(`${name}-tls-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
    const tlsCert = new tls.SelfSignedCert(
      `${name}-tls-cert`,
      {
        privateKeyPem: tlsKey.privateKeyPem,
        subject: { commonName: omni.hostname, organization: "homelab" },
        dnsNames: [omni.hostname],
        validityPeriodHours: 24 * 365,
        earlyRenewalHours: 24 * 30,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
      },
      { parent: this },
    );
    const postgresPassword = new random.RandomPassword(`${name}-postgres-password`, { length: 32, special: false }, { parent: this });

    // The cluster nodes share the VM's subnet; their pods leave masqueraded to their node's address.
    const egressProxy: EgressProxyArgs = { listenIp: omni.vm.privateIp, allowedCidrs: [o.network.subnetCidr], port: egressProxyPort };
    const workloads = (args.workloads ?? []).map((w) => w.workload);
    this.composeYaml = publicIp.ipAddress.apply((ip) =>
      composeYaml({
        accountId: omni.accountId,
        accountName: omni.accountName,
        hostname: omni.hostname,
        publicIp: ip,
        initialUsers: omni.initialUsers,
        ports: omni.ports,
        egressProxy,
        workloads,
        samlMetadataFile: args.samlMetadataFile,
        etcdBackupsToS3: args.etcdBackupsToS3,
      }),
    );
    const connection = { host: publicIp.ipAddress, user: omni.vm.sshUser, privateKey: pulumi.secret(args.sshPrivateKey) };
    const workloadEnv = pulumi.all((args.workloads ?? []).map((w) => w.env)).apply(envLines);
    const stdin = pulumi.secret(pulumi.interpolate`#ENV\nPOSTGRES_PASSWORD=${postgresPassword.result}\n${workloadEnv}#KEY\n${tlsKey.privateKeyPem}\n#CERT\n${tlsCert.certPem}`);
    const files = [{ path: squidConfPath, content: squidConf(egressProxy), what: "the egress proxy's configuration" }, ...workloads.flatMap((w) => w.files)];
    const script = this.composeYaml.apply((compose) => deployScript(compose, files, workloads.flatMap((w) => w.steps)));
    // The deploy script is idempotent: a changed compose file is an update that runs it again.
    const deploy = new command.remote.Command(
      `${name}-compose-up`,
      { connection, create: script, update: script, stdin },
      { parent: this, dependsOn: [vm, publicIp], ...ignoreLegacyTriggers },
    );
    const keyPath = shellQuote(initialServiceAccountKeyPath);
    const saKey = new command.remote.Command(
      `${name}-service-account-key`,
      { connection, create: `set -eu; for i in $(seq 60); do sudo test -s ${keyPath} && break; sleep 5; done; sudo cat ${keyPath}` },
      { parent: this, dependsOn: [deploy], additionalSecretOutputs: ["stdout"] },
    );

    this.egressProxy = { host: egressProxy.listenIp, port: egressProxy.port };
    this.vcnId = vcn.id;
    this.subnetId = subnet.id;
    this.publicIp = publicIp.ipAddress;
    this.endpoint = pulumi.output(`https://${omni.hostname}:${omni.ports.api}`);
    this.caCertPem = tlsCert.certPem;
    this.serviceAccountKey = pulumi.secret(saKey.stdout.apply((s) => s.trim()));
    this.registerOutputs({
      vcnId: this.vcnId,
      subnetId: this.subnetId,
      publicIp: this.publicIp,
      endpoint: this.endpoint,
      caCertPem: this.caCertPem,
      serviceAccountKey: this.serviceAccountKey,
      egressProxy: this.egressProxy,
    });
  }
}
