// The platform of one Talos cluster, in waves. Wave 0 is installed by Pulumi
// directly because everything else depends on it: Gateway API CRDs and
// Cilium, cert-manager, External Secrets with Bitwarden, and on the hub
// Argo CD. The cluster is then registered in the hub's Argo CD, and wave 1
// (storage) arrives as Argo CD Applications, each created only once every
// resource of the previous wave is healthy.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../config/schema";
import { formerNames } from "./lifecycle";
import { ChartRef, charts, gatewayApi } from "../config/versions";
import { ApplicationSpec, argocdNamespace, renderApplication } from "./platform/application";
import { appProjects, argoCdValues, argocdOidcExternalSecret, clusterSecretMetadata, inClusterRegistration, registrationFromKubeconfig } from "./platform/argocd";
import { acmeIssuerManifests, certManagerNamespace, certManagerValues, selfSignedIssuerManifest } from "./platform/certManager";
import { platformApplications, platformRepos, platformRepositorySecrets } from "./platform/catalog";
import { ciliumValues, gatewayManifests, lanLoadBalancerManifests } from "./platform/cilium";
import { tunnelConnectorManifests } from "./platform/tunnelConnector";
import { twingateClientManifests, twingateConnectorManifests } from "./platform/twingate";
import { monitoringManifests } from "./platform/monitoring";
import { ntfyTokenSecret } from "./monitoring/alertmanager";
import { monitoringNamespace } from "./monitoring/metrics";
import { serviceProbe } from "./monitoring/probes";
import { serviceScrape } from "./monitoring/scrapes";
import { platformServiceMonitors } from "./monitoring/serviceMonitors";
import { Manifest, PlatformContext, namespace } from "./platform/context";
import { manifestResource } from "./platform/manifestResource";
import {
  bitwardenStoreManifest,
  bitwardenTlsManifests,
  bitwardenTokenSecret,
  cloudflareTokenExternalSecret,
  externalSecretsNamespace,
  externalSecretsValues,
} from "./platform/externalSecrets";
import { longhornLimitRange, longhornNamespace } from "./platform/storage";
import { Wave, WaveLedger } from "./platform/waves";
import { ServiceApp } from "./ServiceApp";
import { criticalVolumeEntries, drillObjects, veleroCredentialsFile, veleroNamespace, veleroObjects, veleroSecrets } from "./backup/kubernetes";
import { ClusterBackup, offsiteSecretResource } from "./backup/offsiteSecret";
import { EgressProxyAddress, PublicHostname, serviceRepos, serviceRepositorySecrets } from "./service/manifests";
import { RunnerSettings, runnerManifests } from "./platform/actionsRunner";
import { ServiceEntry, ServiceSettings } from "../services/entry";

export interface ClusterPlatformArgs {
  cluster: string;
  site: "home" | "oci";
  /** Nodes that run workloads. */
  workloadNodes: number;
  /** A node of role gpu-worker runs here (KubeVirt's gaming session, its taint tolerated by the storage's agents). */
  gpuWorker?: boolean;
  platform: PlatformConfig;
  /** This cluster's API. */
  provider: k8s.Provider;
  /** The cluster whose Argo CD delivers Applications, and its API (the same provider on the hub itself; absent while the hub is not ready). */
  hub: { cluster: string; provider?: k8s.Provider };
  /** Kubeconfig Argo CD uses to reach this cluster; required unless this is the hub. */
  registrationKubeconfig?: pulumi.Input<string>;
  /** Bitwarden Secrets Manager machine-account token (secret config). */
  bitwardenMachineToken: pulumi.Input<string>;
  /** The tunnel this cluster connects (its token's Bitwarden secret); none on dev, which publishes nothing. */
  tunnelConnector?: { bitwardenKey: string };
  /** Twingate: the home connectors (prod), or every node's client with its image and service key's ID (cloud). */
  twingate?: { role: "connectors" } | { role: "client"; image: string; keyId: pulumi.Input<string> };
  /** The cluster that runs Prometheus and Alertmanager (prod): the alert rules and where alerts go. */
  alerting?: PlatformContext["alerting"];
  /** ntfy's publisher token for Alertmanager (secret), on the cluster that runs both (prod). */
  ntfyPublisherToken?: pulumi.Input<string>;
  /** Prod receives every cluster's logs and metrics at its LAN address; the others send there. */
  telemetry: { receiveAt: string } | { sendTo: string; stack: "dev" | "cloud" };
  /** Where the cluster's backups go and the keys that write them (secret): Velero, VolSync, the database dumps and drills. */
  backup?: ClusterBackup;
  /** The GitHub Actions runner scale set; only on the hub, whose Argo CD Applications it reads. */
  runner?: RunnerSettings;
  /** The catalog entries this cluster runs (wave 2 and up), and what they need from the stack. */
  services: {
    entries: ServiceEntry[];
    settings: ServiceSettings;
    reduced: boolean;
    catalog: readonly ServiceEntry[];
    /** The static-IP egress proxy (the cloud cluster's, on the management VM). */
    egressProxy?: EgressProxyAddress;
    /** Generated values of the entries that ask for a generated Secret, by entry name (secret). */
    generated?: Record<string, pulumi.Input<Record<string, string>>>;
  };
}

/** Waits Pulumi applies to custom resources that report readiness. */
const readyWhen = { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "600" };

export class ClusterPlatform extends pulumi.ComponentResource {
  /** Argo CD Applications created for this cluster, by wave. */
  readonly applications: { name: string; wave: Wave }[];
  /** Helm releases Pulumi installs directly (wave 0). */
  readonly releases: string[];
  /** False while the hub's Argo CD is not there yet (first deploy of the cloud stack). */
  readonly gitopsConnected: boolean;
  /** The services delivered here, and the public hostnames they ask for. */
  readonly services: string[];
  readonly publicHostnames: PublicHostname[];

  private readonly ctx: PlatformContext;
  private readonly ledger: WaveLedger;

  constructor(
    private readonly name: string,
    private readonly args: ClusterPlatformArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("homelab:index:ClusterPlatform", name, {}, opts);
    const isHub = args.hub.cluster === args.cluster;
    this.ctx = {
      cluster: args.cluster,
      site: args.site,
      workloadNodes: args.workloadNodes,
      gpuWorker: args.gpuWorker,
      platform: args.platform,
      databases: args.services.entries.some((e) => e.database !== undefined),
      backups: args.backup !== undefined,
      criticalVolumes: args.backup !== undefined && criticalVolumeEntries(args.services.entries).length > 0,
      alerting: args.alerting,
      runner: args.runner,
      telemetry:
        "receiveAt" in args.telemetry
          ? { role: "receiver", address: args.telemetry.receiveAt }
          : { role: "sender", address: args.telemetry.sendTo, stack: args.telemetry.stack, probes: args.services.entries.map((e) => serviceProbe(e, args.services.settings.domain)), scrapes: args.services.entries.flatMap((e) => serviceScrape(e) ?? []) },
    };
    this.ledger = new WaveLedger(args.cluster);
    this.releases = [];

    // ---- wave 0: the network
    const crds = Object.entries(gatewayApi.crdFiles).map(
      ([role, file], i) =>
        new k8s.yaml.v2.ConfigFile(`${name}-gateway-api-${role}`, { file }, { parent: this, provider: args.provider, ...formerNames(`${name}-gateway-api-${role}`, `${args.cluster}-gateway-api-crds-${i}`) }),
    );
    const cilium = this.release("cilium", charts.cilium, "kube-system", ciliumValues(this.ctx), crds);
    const network = [...lanLoadBalancerManifests(this.ctx).map((m) => this.apply(m, [cilium])), ...this.applyInOrder(gatewayManifests(), [cilium])];

    // ---- wave 0: certificates and secrets
    const certNs = this.apply(namespace(certManagerNamespace), [cilium]);
    const certManager = this.release("cert-manager", charts.certManager, certManagerNamespace, certManagerValues(), [certNs]);
    const selfSigned = this.apply(selfSignedIssuerManifest(), [certManager]);
    const esoNs = this.apply(namespace(externalSecretsNamespace), [cilium]);
    const sdkTls = this.applyInOrder(bitwardenTlsManifests(), [selfSigned, esoNs]);
    const token = new k8s.core.v1.Secret(
      `${name}-bitwarden-token`,
      {
        metadata: { name: bitwardenTokenSecret.name, namespace: externalSecretsNamespace },
        type: "Opaque",
        stringData: { [bitwardenTokenSecret.key]: pulumi.secret(args.bitwardenMachineToken) },
      },
      { parent: this, provider: args.provider, dependsOn: [esoNs], ...formerNames(`${name}-bitwarden-token`, `${args.cluster}-bitwarden-token`) },
    );
    const eso = this.release("external-secrets", charts.externalSecrets, externalSecretsNamespace, externalSecretsValues(), [...sdkTls, token]);
    const store = this.apply(bitwardenStoreManifest(this.ctx), [eso], readyWhen);
    const cloudflareToken = this.apply(cloudflareTokenExternalSecret(this.ctx), [store, certNs], readyWhen);
    const issuers = acmeIssuerManifests(this.ctx).map((m) => this.apply(m, [cloudflareToken, certManager], readyWhen));
    // The connector reads a token the cloud stack writes: its ExternalSecret waits until it exists, then the connectors come up.
    const connector = args.tunnelConnector ? this.applyChain(tunnelConnectorManifests(args.tunnelConnector.bitwardenKey), [store, ...network]) : [];
    // Twingate's pieces read what the cloud stack wrote to Bitwarden, like the tunnel connector.
    const tw = args.twingate;
    const twingate = tw ? this.applyChain(tw.role === "connectors" ? twingateConnectorManifests() : twingateClientManifests(tw.image, tw.keyId), [store, ...network]) : [];

    // The monitoring namespace, and on prod Alertmanager's tokens before the chart starts it (not waited for: the
    // Bitwarden secrets are the admin's to create; Alertmanager waits for them, the rest goes on) and the telemetry address.
    const monitoring = this.applyInOrder(monitoringManifests({ alerting: args.alerting !== undefined, telemetry: this.ctx.telemetry }), [store, ...network]);
    if (args.alerting) {
      if (args.ntfyPublisherToken === undefined) throw new Error(`ClusterPlatform ${args.cluster}: Alertmanager runs here and needs ntfy's publisher token`);
      monitoring.push(
        new k8s.core.v1.Secret(
          `${name}-alertmanager-ntfy-token`,
          { metadata: { name: ntfyTokenSecret.name, namespace: monitoringNamespace }, type: "Opaque", stringData: { [ntfyTokenSecret.key]: pulumi.secret(args.ntfyPublisherToken) } },
          { parent: this, provider: args.provider, dependsOn: monitoring.slice(0, 1) },
        ),
      );
    }

    // Storage prerequisites that Argo CD cannot create in the right order.
    const storagePrereqs = args.platform.storage.longhorn
      ? this.applyInOrder([namespace(longhornNamespace, "privileged"), longhornLimitRange()], [cilium])
      : [];

    // Velero's namespace and secrets before its chart: without its repository secret, Velero would create one with a well-known password.
    const backupPrereqs = args.backup ? this.veleroSecrets(args.backup, this.apply(namespace(veleroNamespace, "privileged"), [cilium])) : [];

    this.ledger.add(0, ...crds, cilium, ...network, certNs, certManager, selfSigned, esoNs, ...sdkTls, token, eso, store, cloudflareToken, ...issuers, ...connector, ...twingate, ...monitoring, ...storagePrereqs, ...backupPrereqs);

    // ---- wave 0: GitOps (Argo CD on the hub; this cluster registered in it)
    this.gitopsConnected = isHub || args.platform.gitops.hubReady;
    if (this.gitopsConnected && !args.hub.provider) throw new Error(`ClusterPlatform ${args.cluster}: a provider for the hub cluster ${args.hub.cluster} is required`);
    if (this.gitopsConnected && !isHub && args.registrationKubeconfig === undefined) {
      throw new Error(`ClusterPlatform ${args.cluster}: registrationKubeconfig is required for a cluster that is not the hub (${args.hub.cluster})`);
    }
    let hubReady: pulumi.Resource[] = [];
    if (isHub) {
      const argoConfig = args.platform.argocd;
      if (!argoConfig) throw new Error(`ClusterPlatform ${args.cluster}: the hub needs platform.argocd`);
      const argoNs = this.apply(namespace(argocdNamespace), [cilium]);
      hubReady = [this.release("argocd", charts.argoCd, argocdNamespace, argoCdValues(argoConfig), [argoNs])];
      // Not waited for: Argo CD works with its local admin until the cloud stack has written the client secret.
      const oidc = this.apply(argocdOidcExternalSecret(argoConfig), [argoNs, store]);
      this.ledger.add(0, argoNs, oidc, ...hubReady);
      // The runners' credentials, service account (its Role is in Argo CD's namespace) and network policy, before their charts.
      // Not waited for: the GitHub App's secrets are the admin's to put in Bitwarden; the family's services do not wait on them.
      if (args.runner) this.ledger.add(0, ...this.applyInOrder(runnerManifests(args.runner), [store, argoNs, ...network]));
    } else if (args.runner) {
      throw new Error(`ClusterPlatform ${args.cluster}: the runner reads Argo CD's Applications and runs on the hub (${args.hub.cluster}), not here`);
    }
    if (this.gitopsConnected) this.ledger.add(0, ...this.register(name, isHub, hubReady));

    // ---- wave 1: the add-ons' Applications, after everything of wave 0 is healthy
    this.applications = [];
    const addonApps = this.gitopsConnected ? [...platformApplications(this.ctx)].sort((a, b) => a.wave - b.wave) : [];
    for (const spec of addonApps.filter((a) => a.wave <= 1)) this.application(spec);

    // ---- wave 2: the platform's metrics, once the monitoring chart (and its ServiceMonitor CRD) is in
    if (this.gitopsConnected && args.alerting) {
      const monitors = platformServiceMonitors({ argocd: isHub, longhorn: args.platform.storage.longhorn !== undefined }).map((m) => this.apply(m, this.ledger.dependenciesFor(2)));
      this.ledger.add(2, ...monitors);
    }

    // ---- wave 2: the backup schedules and drills, once Velero's CRDs are in
    if (this.gitopsConnected && args.backup) {
      const after = this.ledger.dependenciesFor(2);
      const velero = veleroObjects({ cluster: args.cluster, entries: args.services.entries }, args.backup.store).map((m) => this.apply(m, after));
      const drills = drillObjects({ cluster: args.cluster, entries: args.services.entries }, args.backup.store);
      const [drillNs, ...drillRest] = drills.manifests;
      const inDrillNs = drillNs ? [this.apply(drillNs, after)] : [];
      const drillSecrets = drills.secrets.map((spec) => offsiteSecretResource(`${name}-secret-${spec.namespace}-${spec.name}`, spec, args.backup as ClusterBackup, { parent: this, provider: args.provider, dependsOn: inDrillNs }));
      const drillJobs = drillRest.map((m) => this.apply(m, [...inDrillNs, ...drillSecrets]));
      this.ledger.add(2, ...velero, ...inDrillNs, ...drillSecrets, ...drillJobs);
    }

    // ---- wave 2+: the catalog's services, each wave after the previous one
    this.services = [];
    this.publicHostnames = [];
    if (this.gitopsConnected) {
      for (const entry of [...args.services.entries].sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name))) this.service(entry);
    }

    // ---- the last wave: add-ons nothing of the family's waits for (the admin's runner)
    for (const spec of addonApps.filter((a) => a.wave > 1)) this.application(spec);

    this.registerOutputs({
      applications: this.applications,
      releases: this.releases,
      gitopsConnected: this.gitopsConnected,
      services: this.services,
      publicHostnames: this.publicHostnames,
    });
  }

  /** Creates one Argo CD Application in the hub, after every resource of the previous wave. */
  application(spec: ApplicationSpec): pulumi.Resource {
    if (spec.cluster !== this.args.cluster) throw new Error(`Application ${spec.name}: expected cluster ${this.args.cluster}, got ${spec.cluster}`);
    const id = `${this.name}-app-${spec.name.replace(new RegExp(`^${spec.cluster}-`), "")}`;
    const app = new k8s.apiextensions.CustomResource(id, renderApplication(spec), {
      parent: this,
      provider: this.args.hub.provider,
      dependsOn: this.ledger.dependenciesFor(spec.wave),
      ...formerNames(id, spec.name),
    });
    this.ledger.add(spec.wave, app);
    this.applications.push({ name: spec.name, wave: spec.wave });
    return app;
  }

  /** One catalog entry, after everything of the waves before its own. */
  private service(entry: ServiceEntry): void {
    const app = new ServiceApp(
      `${this.name}-service-${entry.name}`,
      {
        entry,
        cluster: this.args.cluster,
        reduced: this.args.services.reduced,
        settings: this.args.services.settings,
        catalog: this.args.services.catalog,
        defaultStorageClass: this.args.platform.storage.defaultClass,
        provider: this.args.provider,
        hubProvider: this.args.hub.provider as k8s.Provider,
        lan: this.args.platform.lanLoadBalancer ? { fixedAddresses: this.args.platform.lanLoadBalancer.addresses ?? {} } : undefined,
        after: this.ledger.dependenciesFor(entry.wave),
        egressProxy: this.args.services.egressProxy,
        probeObjects: this.args.alerting !== undefined,
        generated: this.args.services.generated?.[entry.name],
        backup: this.args.backup,
      },
      { parent: this },
    );
    this.ledger.add(entry.wave, app);
    this.applications.push({ name: app.application, wave: entry.wave });
    this.services.push(entry.name);
    if (app.publicHostname) this.publicHostnames.push(app.publicHostname);
  }

  /** Velero's two secrets: the store's key as an AWS credentials file, and the kopia repositories' password. */
  private veleroSecrets(backup: ClusterBackup, ns: pulumi.Resource): pulumi.Resource[] {
    const keys = pulumi.output(backup.keys);
    const secret = (id: string, name: string, stringData: pulumi.Output<Record<string, string>>) =>
      new k8s.core.v1.Secret(`${this.name}-${id}`, { metadata: { name, namespace: veleroNamespace }, type: "Opaque", stringData: pulumi.secret(stringData) }, { parent: this, provider: this.args.provider, dependsOn: [ns] });
    return [
      ns,
      secret("velero-store-secret", veleroSecrets.store.name, keys.apply((k): Record<string, string> => ({ [veleroSecrets.store.key]: veleroCredentialsFile(k.accessKeyId, k.secretAccessKey) }))),
      secret("velero-repository-secret", veleroSecrets.repository.name, keys.apply((k): Record<string, string> => ({ [veleroSecrets.repository.key]: k.password }))),
    ];
  }

  /** The Argo CD cluster Secret and AppProjects of this cluster, in the hub. */
  private register(name: string, isHub: boolean, after: pulumi.Resource[]): pulumi.Resource[] {
    const hub = { parent: this, provider: this.args.hub.provider, dependsOn: after };
    const data = pulumi
      .output(isHub ? "" : (this.args.registrationKubeconfig as pulumi.Input<string>))
      .apply((kc): Record<string, string> => ({ ...(isHub ? inClusterRegistration(this.args.cluster) : registrationFromKubeconfig(this.args.cluster, kc)) }));
    const secret = new k8s.core.v1.Secret(
      `${name}-argocd-cluster`,
      { metadata: clusterSecretMetadata(this.args.cluster), type: "Opaque", stringData: pulumi.secret(data) },
      { ...hub, ...formerNames(`${name}-argocd-cluster`, `${this.args.cluster}-argocd-cluster`) },
    );
    const entries = this.args.services.entries;
    const repositories = [...serviceRepositorySecrets(this.args.cluster, entries), ...platformRepositorySecrets(this.ctx)].map((m) => {
      const id = `${name}-${m.metadata.name}`;
      return new k8s.core.v1.Secret(id, m as k8s.core.v1.SecretArgs, hub);
    });
    const projects = appProjects(this.args.cluster, platformRepos, serviceRepos(entries)).map((m) => {
      const id = `${name}-project-${m.metadata.name.replace(new RegExp(`^${this.args.cluster}-`), "")}`;
      return new k8s.apiextensions.CustomResource(id, m, { ...hub, ...formerNames(id, `${this.args.cluster}-project-${m.metadata.name}`) });
    });
    return [secret, ...projects, ...repositories];
  }

  private release(release: string, chart: ChartRef, ns: string, values: Record<string, unknown>, dependsOn: pulumi.Resource[]): k8s.helm.v3.Release {
    this.releases.push(release);
    return new k8s.helm.v3.Release(
      `${this.name}-${release}`,
      {
        name: release,
        chart: chart.chart,
        version: chart.version,
        repositoryOpts: { repo: chart.repo },
        namespace: ns,
        values,
        // Roll back a failed upgrade instead of leaving half of it applied.
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
        maxHistory: 5,
      },
      { parent: this, provider: this.args.provider, dependsOn, ...formerNames(`${this.name}-${release}`, `${this.args.cluster}-${release}`) },
    );
  }

  /** Applies one object to this cluster. */
  private apply(m: Manifest, dependsOn: pulumi.Resource[], annotations?: Record<string, string>): pulumi.Resource {
    const ns = m.metadata.namespace ? `${m.metadata.namespace}-` : "";
    const object = `${m.kind.toLowerCase()}-${ns}${m.metadata.name}`;
    const id = `${this.name}-${object}`;
    return manifestResource(id, m, { parent: this, provider: this.args.provider, dependsOn, ...formerNames(id, `${this.args.cluster}-${object}`) }, annotations);
  }

  /** Applies objects one after the other, each ExternalSecret waited for until its secret exists in Bitwarden. */
  private applyChain(manifests: Manifest[], dependsOn: pulumi.Resource[]): pulumi.Resource[] {
    return manifests.reduce<pulumi.Resource[]>((done, m) => [...done, this.apply(m, done.length ? [done[done.length - 1]] : dependsOn, m.kind === "ExternalSecret" ? readyWhen : undefined)], []);
  }

  /** Applies objects one after the other (each depends on the previous one). */
  private applyInOrder(manifests: Manifest[], dependsOn: pulumi.Resource[]): pulumi.Resource[] {
    const created: pulumi.Resource[] = [];
    for (const m of manifests) {
      const ready = m.kind === "Certificate" ? readyWhen : undefined;
      created.push(this.apply(m, created.length > 0 ? [created[created.length - 1]] : dependsOn, ready));
    }
    return created;
  }
}
