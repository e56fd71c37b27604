// Audiobookshelf (FR-018): the family's audiobooks and podcasts, with each
// listener's progress, in the browser and the mobile apps (its own accounts).
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";

export const audiobookshelf: ServiceEntry = {
  name: "audiobookshelf",
  home: "prod",
  dev: { workloads: { server: { resources: resources("10m", "128Mi", "500m", "512Mi") } } },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("50m", "256Mi", "1000m", "1Gi") } },
  auth: "native",
  // The provisioning workflow creates each family member's account.
  accounts: "audiobookshelf",
  exposure: { kind: "tunnel", subdomain: "books", port: 80 },
  volumes: [
    { kind: "data", name: "config", sizeGi: 5, mountPath: "/config" },
    // Read-write: uploads from the web UI and downloaded podcast episodes land in the library.
    { kind: "library", folder: "audiobooks", access: "rw", owner: { uid: 1000, gid: 1000, why: "Audiobookshelf runs as 1000 (app-template) and writes uploads and metadata there" }, sizeGi: 500, mountPath: "/audiobooks" },
  ],
  // Listening progress and accounts; the books themselves are the library's (ZFS snapshots).
  backup: "local",
  health: { path: "/healthcheck", port: 80 },
  dashboard: { group: "Media", title: "Audiobooks", icon: "di:audiobookshelf", description: "Audiobookshelf: audiobooks and podcasts" },
  secrets: [],
  // Book metadata and covers (Audible, Google Books, Open Library...) and podcast feeds, some of them plain HTTP.
  egress: [{ why: "book metadata and covers, podcast feeds and episodes", to: "world", ports: [80, 443] }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(audiobookshelf, ctx, {
      containers: {
        server: {
          image: serviceImages.audiobookshelf,
          env: {
            CONFIG_PATH: "/config",
            // Cache, covers, backups and logs on the same volume as the database.
            METADATA_PATH: "/config/metadata",
            // The owner it gives the files it writes into the library: the user it runs as.
            AUDIOBOOKSHELF_UID: "1000",
            AUDIOBOOKSHELF_GID: "1000",
          },
        },
      },
      // npm's cache directory, written at start.
      scratch: { tmp: "/tmp", npm: "/.npm" },
    }),
};
