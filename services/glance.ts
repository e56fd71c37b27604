// Glance (FR-019): the family's start page, public behind Cloudflare. Its
// whole configuration is generated from the catalog: every family service
// with its title, icon and link, by group; admin apps never appear.
import { stringify } from "yaml";
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { hostnameOf } from "../components/service/manifests";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry, ServiceSettings } from "./entry";

/** The family's services that have a public address, by dashboard group (admin apps and the dashboard itself left out). */
export function familyLinks(catalog: readonly ServiceEntry[], domain: string): { group: string; links: { title: string; url: string; icon: string; description: string }[] }[] {
  const groups = new Map<string, { title: string; url: string; icon: string; description: string }[]>();
  for (const e of catalog) {
    const host = hostnameOf(e, domain);
    if (!host || e.auth === "admin" || e.dashboard.adminsOnly || e.name === "glance") continue;
    const list = groups.get(e.dashboard.group) ?? [];
    list.push({ title: e.dashboard.title, url: `https://${host}`, icon: e.dashboard.icon, description: e.dashboard.description });
    groups.set(e.dashboard.group, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, links]) => ({ group, links: links.sort((a, b) => a.title.localeCompare(b.title)) }));
}

/** glance.yml: a calendar and the weather beside the family's bookmarks and their status. */
export function glanceConfig(catalog: readonly ServiceEntry[], settings: ServiceSettings): string {
  const groups = familyLinks(catalog, settings.domain);
  return stringify({
    server: { host: "0.0.0.0", port: 8080, proxied: true },
    pages: [
      {
        name: "Home",
        columns: [
          {
            size: "small",
            widgets: [
              { type: "calendar", "first-day-of-week": "monday" },
              { type: "weather", location: settings.dashboard.weatherLocation, units: "metric", "hour-format": "24h" },
            ],
          },
          {
            size: "full",
            widgets: [
              { type: "bookmarks", title: "Services", groups: groups.map((g) => ({ title: g.group, links: g.links.map((l) => ({ title: l.title, url: l.url, icon: l.icon, description: l.description })) })) },
              { type: "monitor", title: "Status", cache: "1m", sites: groups.flatMap((g) => g.links.map((l) => ({ title: l.title, url: l.url, icon: l.icon }))) },
            ],
          },
        ],
      },
    ],
  });
}

export const glance: ServiceEntry = {
  name: "glance",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["dashboard"]),
  workloads: { dashboard: { resources: resources("10m", "32Mi", "200m", "128Mi") } },
  auth: "public",
  exposure: { kind: "tunnel", subdomain: "home", port: 8080 },
  volumes: [],
  backup: "none",
  backupNote: "no state: its configuration is generated from the catalog on every deploy",
  health: { path: "/api/healthz", port: 8080 },
  dashboard: { group: "Home", title: "Start page", icon: "di:glance", description: "Glance: every family service on one page" },
  secrets: [],
  // The weather (Open-Meteo), the status checks of the public addresses, and the icons (jsDelivr).
  egress: [{ why: "weather, status checks of the family's public addresses, icons", to: "world", ports: [443] }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(glance, ctx, {
      containers: { dashboard: { image: serviceImages.glance } },
      configMaps: { config: { path: "/app/config", files: { "glance.yml": glanceConfig(ctx.catalog, ctx.settings) } } },
    }),
};
