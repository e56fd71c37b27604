// The services' own metrics (FR-020): an entry that serves Prometheus
// metrics says where (`metrics` in its catalog file), and that place is read
// inside the cluster, never through its public route. On prod, a ScrapeConfig
// in the entry's namespace (a static target, as the Probe names its URL: the
// catalog's charts name their Services' ports each their own way); on the
// other clusters, the same target in Alloy, shipped to prod. Either way the
// series carry job="service-metrics" and service=<entry>. Pure.
import type { ServiceEntry } from "../../services/entry";
import type { Manifest } from "../platform/context";
import { serviceLabel } from "../../contract/labels";
import { mainServiceOf } from "../service/manifests";

/** The Prometheus job of every service's own metrics. */
export const serviceMetricsJob = "service-metrics";
export const scrapeInterval = "60s";

export interface ServiceScrape {
  service: string;
  /** host:port inside the cluster. */
  target: string;
  path: string;
}

export function serviceScrape(entry: ServiceEntry): ServiceScrape | undefined {
  if (!entry.metrics) return undefined;
  return { service: entry.name, target: `${mainServiceOf(entry)}.${entry.name}.svc.cluster.local:${entry.metrics.port}`, path: entry.metrics.path };
}

/** The prod cluster's ScrapeConfig for one entry, in the entry's namespace. */
export function scrapeConfigManifest(s: ServiceScrape): Manifest {
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "ScrapeConfig",
    metadata: { name: s.service, namespace: s.service, labels: { [serviceLabel]: s.service } },
    spec: { jobName: serviceMetricsJob, scrapeInterval, metricsPath: s.path, staticConfigs: [{ targets: [s.target], labels: { service: s.service } }] },
  };
}
