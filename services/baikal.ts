// Baïkal (FR-013): the family's calendars and contacts over CalDAV and
// CardDAV. The web admin sits behind Authentik; DAV clients keep Baïkal's
// own accounts. SQLite in Specific/, configuration in config/.
import { serviceImages } from "../config/versions";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

export const baikal: ServiceEntry = {
  name: "baikal",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("25m", "64Mi", "100m", "256Mi") } },
  auth: "sso",
  exposure: {
    kind: "tunnel",
    subdomain: "dav",
    port: 80,
    bypassSso: [
      // Phones and desktop calendars send Digest or Basic credentials on every request; they cannot follow an SSO redirect.
      { path: "/dav.php", why: "CalDAV and CardDAV (principals, calendars, address books)" },
      { path: "/cal.php", why: "the CalDAV-only endpoint some clients are given" },
      { path: "/card.php", why: "the CardDAV-only endpoint some clients are given" },
      { path: "/.well-known/caldav", why: "calendar apps discover /dav.php from the bare hostname" },
      { path: "/.well-known/carddav", why: "contact apps discover /dav.php from the bare hostname" },
    ],
  },
  volumes: [
    { kind: "data", name: "config", sizeGi: 1, mountPath: "/var/www/baikal/config" },
    // The SQLite database of every calendar and address book.
    { kind: "data", name: "specific", sizeGi: 2, mountPath: "/var/www/baikal/Specific" },
  ],
  backup: "critical",
  // The public landing page; /admin (and its first-run wizard) stays behind SSO.
  health: { path: "/", port: 80 },
  dashboard: { group: "Home", title: "Calendars & contacts", icon: "di:baikal", description: "Baïkal: the family's calendars and address books" },
  secrets: [],
  egress: [],
  podSecurity: { level: "baseline", why: "the image's nginx and PHP-FPM masters start as root (port 80, chown of the volumes), workers run as nginx" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(baikal, ctx, {
      containers: { server: { image: serviceImages.baikal, startsAsRoot: "nginx and PHP-FPM masters bind port 80 and chown the volumes, then run their workers as nginx" } },
    }),
};
