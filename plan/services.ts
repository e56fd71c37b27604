// The services table of the plan: every catalog entry the stack runs, with
// its tier, address, storage, backup class and what it asks of the cluster.
import { StackConfig } from "../config/load";
import { hostnameOf, skippedOnDev, workloadsOn } from "../components/service/manifests";
import { gateSecrets, ssoGates, ssoProxyResources } from "../components/service/ssoGate";
import { generatedBitwardenSecrets } from "../components/identity/blueprints";
import { requestsOf, roundUp } from "../policies/rules/kubernetesInputs";
import { catalog, entriesFor } from "../services";
import { ServiceEntry } from "../services/entry";

export interface PlannedService {
  name: string;
  cluster: string;
  tier: string;
  /** Public hostname, "LAN" or "none". */
  address: string;
  storage: string[];
  backup: string;
  requests: { memoryMiB: number; milliCpu: number };
  limits: { memoryMiB: number; milliCpu: number };
  wave: number;
  /** The Bitwarden secrets (by name in the Secrets Manager project) it reads that someone creates before a deploy. */
  bitwarden: string[];
  /** Those it reads that the cloud stack's identity plane generates and writes. */
  generated: string[];
  /** Why a prod service does not run on dev. */
  skipped?: string;
}

function storageOf(e: ServiceEntry, defaultClass: string): string[] {
  const volumes = e.volumes.map((v) => (v.kind === "library" ? `${v.folder} (nfs-media, ${v.access})` : `${v.name} ${v.sizeGi}Gi (${defaultClass})`));
  return e.database ? [...volumes, `database ${e.database.sizeGi}Gi (${defaultClass})`] : volumes;
}

/** Requests or limits of every workload (times its replicas), the database and the SSO proxies. */
function total(e: ServiceEntry, reduced: boolean, domain: string, side: "requests" | "limits") {
  const parts = [
    ...Object.values(workloadsOn(e, reduced)).map((w) => ({ r: requestsOf({ requests: w.resources[side] }), n: w.replicas ?? 1 })),
    ...(e.database ? [{ r: requestsOf({ requests: e.database.resources[side] }), n: 1 }] : []),
    ...ssoGates(e, domain).map(() => ({ r: requestsOf({ requests: ssoProxyResources[side] }), n: 1 })),
  ];
  return { memoryMiB: roundUp(parts.reduce((s, p) => s + p.r.memoryMiB * p.n, 0)), milliCpu: roundUp(parts.reduce((s, p) => s + p.r.milliCpu * p.n, 0)) };
}

function splitSecrets(names: string[], generated: Set<string>): { bitwarden: string[]; generated: string[] } {
  return { bitwarden: names.filter((n) => !generated.has(n)), generated: names.filter((n) => generated.has(n)) };
}

export function plannedServices(sc: StackConfig): PlannedService[] {
  const cluster = sc.config.cluster.name;
  const reduced = sc.kind === "dev";
  const defaultClass = sc.config.platform.storage.defaultClass;
  const domain = sc.config.services.domain;
  const generated = new Set(generatedBitwardenSecrets({ domain, catalog }));
  const running = entriesFor(sc.kind).map((e) => ({
    name: e.name,
    cluster,
    tier: e.auth,
    address: hostnameOf(e, domain) ?? (e.exposure.kind === "lan" ? "LAN" : "none"),
    storage: storageOf(e, defaultClass),
    backup: e.backup,
    requests: total(e, reduced, domain, "requests"),
    limits: total(e, reduced, domain, "limits"),
    wave: e.wave,
    ...splitSecrets([...e.secrets.map((x) => x.bitwarden), ...ssoGates(e, domain).flatMap((g) => gateSecrets(g).map((x) => x.bitwarden))], generated),
  }));
  const skipped = reduced
    ? catalog.flatMap((e) => {
        const why = e.home === "prod" ? skippedOnDev(e) : undefined;
        return why ? [{ name: e.name, cluster, tier: e.auth, address: "none", storage: [], backup: e.backup, requests: { memoryMiB: 0, milliCpu: 0 }, limits: { memoryMiB: 0, milliCpu: 0 }, wave: e.wave, bitwarden: [], generated: [], skipped: why }] : [];
      })
    : [];
  return [...running, ...skipped].sort((a, b) => a.name.localeCompare(b.name));
}
