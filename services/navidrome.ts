// Navidrome (FR-015): the family's music, streamed to browsers and Subsonic
// apps. Its own accounts (Subsonic clients need a Navidrome password); the
// library is read from the media share, never written.
import { serviceImages } from "../config/versions";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

export const navidrome: ServiceEntry = {
  name: "navidrome",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  // A scan of a large library takes memory; playback takes little.
  workloads: { server: { resources: resources("50m", "192Mi", "200m", "768Mi") } },
  auth: "native",
  // The provisioning workflow creates each family member's account.
  accounts: "navidrome",
  exposure: {
    kind: "tunnel",
    subdomain: "music",
    port: 4533,
    // Open already under the native tier; listed so they stay open if the web UI moves behind SSO (Navidrome's reverse-proxy login).
    bypassSso: [
      { path: "/rest", why: "the Subsonic API of the mobile and desktop players (per-request token auth)" },
      { path: "/share", why: "public share links, opened by people without an account" },
    ],
  },
  volumes: [
    { kind: "library", folder: "music", access: "ro", sizeGi: 500, mountPath: "/music" },
    // Users, playlists, play counts, stars and the cover cache.
    { kind: "data", name: "data", sizeGi: 2, mountPath: "/data" },
  ],
  // The data volume; the library folders are backed up by the host.
  backup: "critical",
  health: { path: "/ping", port: 4533 },
  dashboard: { group: "Media", title: "Music", icon: "di:navidrome", description: "Navidrome: the family's music library" },
  secrets: [
    // Encrypts the players' passwords stored in the database (Subsonic needs them recoverable).
    { key: "ND_PASSWORDENCRYPTIONKEY", bitwarden: "navidrome-password-encryption-key" },
  ],
  egress: [],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(navidrome, ctx, {
      containers: {
        server: {
          image: serviceImages.navidrome,
          env: {
            ND_PORT: "4533",
            ND_MUSICFOLDER: "/music",
            ND_DATAFOLDER: "/data",
            ND_BASEURL: ctx.url,
            // NFS sends no change events: rescan on a schedule.
            ND_SCANSCHEDULE: "@every 1h",
            ND_ENABLEINSIGHTSCOLLECTOR: "false",
          },
        },
      },
    }),
};
