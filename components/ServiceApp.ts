// One catalog entry on one cluster: its namespace, network policy, volumes,
// secrets, database and route, applied by Pulumi to the cluster, then its
// Argo CD Application in the hub, created once all of those exist. Every
// object comes from the entry (services/<name>.ts) through the pure
// renderers of components/service/manifests.ts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceEntry, ServiceSettings } from "../services/entry";
import { renderApplication } from "./platform/application";
import { Manifest } from "./platform/context";
import { manifestResource } from "./platform/manifestResource";
import {
  EgressProxyAddress,
  PublicHostname,
  generatedSecret,
  generatedSecretMetadata,
  databaseCluster,
  httpRoute,
  lanService,
  networkPolicy,
  publicHostname,
  serviceApplication,
  serviceCertificate,
  serviceContext,
  serviceExternalSecret,
  serviceNamespace,
  volumeClaims,
} from "./service/manifests";
import { ssoGateManifests, ssoGates } from "./service/ssoGate";
import { probeManifest, serviceProbe } from "./monitoring/probes";
import { scrapeConfigManifest, serviceScrape } from "./monitoring/scrapes";
import { entryBackupObjects, namespaceBackupAnnotations } from "./backup/kubernetes";
import { ClusterBackup, offsiteSecretResource } from "./backup/offsiteSecret";

export interface ServiceAppArgs {
  entry: ServiceEntry;
  cluster: string;
  /** Dev's smaller overlay. */
  reduced: boolean;
  settings: ServiceSettings;
  /** The whole catalog (what the dashboard lists). */
  catalog: readonly ServiceEntry[];
  /** The cluster's block storage class (longhorn or local-path). */
  defaultStorageClass: string;
  provider: k8s.Provider;
  /** The hub cluster's API, where the Application lives. */
  hubProvider: k8s.Provider;
  /** Where the cluster announces LAN addresses (prod), the pool's fixed ones by namespace/name; elsewhere a LAN service answers inside the cluster only. */
  lan?: { fixedAddresses: Record<string, string> };
  /** Everything of the waves before the entry's: nothing here starts before it is healthy. */
  after: pulumi.Resource[];
  /** The cluster's static-IP egress proxy, where it has one (cloud). */
  egressProxy?: EgressProxyAddress;
  /** The cluster runs Prometheus' operator (prod): the entry's probe is a Probe object and its metrics a ScrapeConfig; elsewhere Alloy carries both in its configuration. */
  probeObjects: boolean;
  /** The values of the entry's generated Secret, when it asks for one (secret). */
  generated?: pulumi.Input<Record<string, string>>;
  /** Where the cluster's backups go and the keys that write them (secret); a critical entry's copies and dumps use them. */
  backup?: ClusterBackup;
}

/** Waits Pulumi applies to custom resources that report readiness. */
const readyWhen = { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "600" };

export class ServiceApp extends pulumi.ComponentResource {
  readonly application: string;
  readonly publicHostname?: PublicHostname;
  readonly probe: string;

  constructor(name: string, args: ServiceAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:ServiceApp", name, {}, opts);
    const { entry, cluster } = args;
    const domain = args.settings.domain;
    const onCluster = { parent: this, provider: args.provider };

    const nsManifest = serviceNamespace(entry);
    const nsAnnotations = args.backup ? namespaceBackupAnnotations(entry) : {};
    const ns = this.apply(`${name}-namespace`, Object.keys(nsAnnotations).length ? { ...nsManifest, metadata: { ...nsManifest.metadata, annotations: nsAnnotations } } : nsManifest, onCluster, args.after);
    const inNamespace = [ns];
    const objects: pulumi.Resource[] = [ns, this.apply(`${name}-network-policy`, networkPolicy(entry, { domain, cluster, egressProxy: args.egressProxy }), onCluster, inNamespace)];
    for (const claim of volumeClaims(entry, args.defaultStorageClass)) {
      // The family's files outlive the service: removing the entry (or the stack) leaves the claim and its data.
      objects.push(this.apply(`${name}-pvc-${claim.metadata.name}`, claim, { ...onCluster, retainOnDelete: true }, inNamespace));
    }
    const ctx = serviceContext(entry, cluster, args.reduced, args.settings, args.catalog, args.egressProxy, args.lan?.fixedAddresses);
    const secret = serviceExternalSecret(entry, ctx);
    if (secret) objects.push(this.apply(`${name}-external-secret`, secret, onCluster, inNamespace, readyWhen));
    const database = databaseCluster(entry, args.defaultStorageClass);
    // The database holds the family's data: deleting the entry must not drop it.
    const databaseReady = database ? [this.apply(`${name}-database`, database, { ...onCluster, retainOnDelete: true }, inNamespace, readyWhen)] : [];
    objects.push(...databaseReady);
    if (args.backup) {
      // The offsite copies and the database's dump (components/backup/kubernetes.ts), with the Secrets that open the store.
      const backup = args.backup;
      const b = entryBackupObjects(cluster, entry, backup.store);
      const secrets = b.secrets.map((spec) => offsiteSecretResource(`${name}-backup-secret-${spec.name}`, spec, backup, { ...onCluster, dependsOn: inNamespace }));
      objects.push(...secrets, ...b.manifests.map((m) => this.apply(`${name}-backup-${m.kind.toLowerCase()}-${m.metadata.name}`, m, onCluster, [...inNamespace, ...secrets, ...databaseReady])));
    }
    // The SSO proxies exist (and are ready) before the route that sends to them.
    const gates: pulumi.Resource[] = [];
    for (const gate of ssoGates(entry, domain)) {
      for (const m of ssoGateManifests(gate, entry.auth, domain)) {
        gates.push(this.apply(`${name}-${gate.name.slice(entry.name.length + 1)}-${m.kind.toLowerCase()}`, m, onCluster, [...inNamespace, ...gates], m.kind === "ExternalSecret" ? readyWhen : undefined));
      }
    }
    objects.push(...gates);
    if (entry.generatedSecret) {
      if (args.generated === undefined) throw new Error(`service ${entry.name} on ${cluster}: expected the stack to give the values of its generated Secret (${entry.generatedSecret.keys.join(", ")})`);
      // The keys are checked against the entry's; the values stay secret.
      const stringData = pulumi.secret(pulumi.output(args.generated).apply((values) => generatedSecret(entry, values).stringData as Record<string, string>));
      objects.push(new k8s.core.v1.Secret(`${name}-generated-secret`, { metadata: generatedSecretMetadata(entry), type: "Opaque", stringData }, { ...onCluster, dependsOn: inNamespace }));
    }
    const route = httpRoute(entry, domain);
    if (route) objects.push(this.apply(`${name}-route`, route, onCluster, [...inNamespace, ...gates]));
    const certificate = serviceCertificate(entry, domain);
    // Issued (DNS01) before the app starts: its pod mounts the Secret.
    if (certificate) objects.push(this.apply(`${name}-certificate`, certificate, onCluster, inNamespace, readyWhen));
    const lan = args.lan ? lanService(entry, args.lan.fixedAddresses) : undefined;
    if (lan) objects.push(this.apply(`${name}-lan-service`, lan, onCluster, inNamespace));
    const probe = serviceProbe(entry, domain);
    if (args.probeObjects) objects.push(this.apply(`${name}-probe`, probeManifest(probe), onCluster, inNamespace));
    const scrape = serviceScrape(entry);
    if (args.probeObjects && scrape) objects.push(this.apply(`${name}-scrape`, scrapeConfigManifest(scrape), onCluster, inNamespace));

    const spec = serviceApplication(entry, cluster, entry.values(ctx));
    new k8s.apiextensions.CustomResource(`${name}-application`, renderApplication(spec), { parent: this, provider: args.hubProvider, dependsOn: [...args.after, ...objects] });

    this.application = spec.name;
    this.publicHostname = publicHostname(entry, domain);
    this.probe = probe.url;
    this.registerOutputs({ application: this.application, publicHostname: this.publicHostname, probe: this.probe });
  }

  private apply(id: string, m: Manifest, opts: pulumi.CustomResourceOptions, dependsOn: pulumi.Resource[], annotations?: Record<string, string>): pulumi.Resource {
    return manifestResource(id, m, { ...opts, dependsOn }, annotations);
  }
}
