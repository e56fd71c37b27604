// Lidarr: finds, tags and files music into the library Navidrome plays.
// Admins only; Authentik's proxy is its login.
import { serviceImages } from "../config/versions";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

export const lidarr: ServiceEntry = {
  name: "lidarr",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("50m", "256Mi", "200m", "1Gi") } },
  auth: "admin",
  exposure: { kind: "tunnel", subdomain: "lidarr", port: 8686 },
  volumes: [
    { kind: "library", folder: "music", access: "rw", owner: { uid: 1000, gid: 1000, why: "Lidarr runs as PUID/PGID 1000 and imports albums" }, sizeGi: 500, mountPath: "/music" },
    { kind: "data", name: "config", sizeGi: 2, mountPath: "/config" },
  ],
  // Its database can be rebuilt by rescanning the library; a local copy saves the afternoon. The music itself is the host's to back up.
  backup: "local",
  health: { path: "/ping", port: 8686 },
  dashboard: { group: "Media", title: "Music library", icon: "di:lidarr", description: "Lidarr: finds and files the family's music" },
  secrets: [],
  // Lidarr's metadata server, cover art and indexers: their hosts vary with what is added.
  egress: [{ why: "metadata (api.lidarr.audio), cover art and indexers", to: "world", ports: [443] }],
  // linuxserver's s6 init starts as root to chown /config and switch to PUID/PGID; the image is not tested non-root and read-only together.
  podSecurity: { level: "baseline", why: "linuxserver's s6 init starts as root, then runs Lidarr as PUID/PGID 1000" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(lidarr, ctx, {
      containers: {
        server: {
          image: serviceImages.lidarr,
          startsAsRoot: "linuxserver's s6 init chowns /config, then runs Lidarr as PUID/PGID",
          env: {
            // Files written to the shared library belong to 1000, like the other services' (group-writable).
            PUID: "1000",
            PGID: "1000",
            UMASK: "002",
            LIDARR__SERVER__PORT: "8686",
            // Authentik (admin group) guards the route; a second login adds nothing.
            LIDARR__AUTH__METHOD: "External",
          },
        },
      },
    }),
};
