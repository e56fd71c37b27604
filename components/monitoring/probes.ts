// What watches each service from outside (FR-020): one HTTP probe per
// catalog entry, derived from the entry alone. On prod, a Probe object that
// Prometheus' operator turns into a scrape of the blackbox exporter; on the
// other clusters, the same targets in Alloy's embedded blackbox exporter,
// shipped to prod. Either way the series is probe_success{job="services",
// service=<entry>} that the probe alerts (alerts.ts) read.
import type { ServiceEntry } from "../../services/entry";
import { probeTarget } from "../service/manifests";
import type { Manifest } from "../platform/context";
import { serviceLabel } from "../../contract/labels";
import { monitoringNamespace } from "./metrics";

/** The Prometheus job of every service probe (the probe alerts select it). */
export const servicesProbeJob = "services";
/** How often each service is asked: a failure is seen within a minute. */
export const probeInterval = "60s";
/** The blackbox exporter's release on prod; its Service is <release>-prometheus-blackbox-exporter. */
export const blackboxRelease = "blackbox";
export const blackboxPort = 9115;
export const blackboxService = `${blackboxRelease}-prometheus-blackbox-exporter`;

export interface ServiceProbe {
  service: string;
  url: string;
  module: keyof typeof blackboxModules;
}

/**
 * The one module every probe uses: a GET that must answer 2xx by itself. A
 * redirect counts as a failure: a health path that sends the prober to a
 * login page means the SSO gate stands where it must not.
 */
export const blackboxModules = {
  http_2xx: {
    prober: "http",
    timeout: "10s",
    http: { method: "GET", preferred_ip_protocol: "ip4", follow_redirects: false, valid_status_codes: [] as number[] },
  },
} as const;

export function serviceProbe(entry: ServiceEntry, domain: string): ServiceProbe {
  return { service: entry.name, url: probeTarget(entry, domain), module: "http_2xx" };
}

/** The prod cluster's Probe object for one entry, in the entry's namespace. */
export function probeManifest(p: ServiceProbe): Manifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: { name: p.service, namespace: p.service, labels: { [serviceLabel]: p.service } },
    spec: {
      jobName: servicesProbeJob,
      interval: probeInterval,
      module: p.module,
      prober: { url: `${blackboxService}.${monitoringNamespace}.svc:${blackboxPort}`, scheme: "http", path: "/probe" },
      targets: { staticConfig: { static: [p.url], labels: { service: p.service } } },
    },
  };
}
