// RomM (FR-018): the family's retro games, their metadata and artwork, and
// the saves of the games played in the browser; its own accounts.
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";

export const romm: ServiceEntry = {
  name: "romm",
  home: "prod",
  dev: { skip: "with its database it takes more than dev's one small node keeps for services" },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  // nginx, the API, its workers and its own Valkey in one container.
  workloads: { server: { resources: resources("100m", "512Mi", "1500m", "1536Mi") } },
  auth: "native",
  exposure: { kind: "tunnel", subdomain: "games", port: 8080 },
  volumes: [
    // resources (artwork), assets (saves, states, screenshots) and config under RomM's base path.
    { kind: "data", name: "data", sizeGi: 10, mountPath: "/romm" },
    // Read-write: ROMs uploaded from the web UI land in the library.
    { kind: "library", folder: "roms", access: "rw", owner: { uid: 1000, gid: 1000, why: "RomM runs as 1000 (app-template) and writes uploads" }, sizeGi: 1000, mountPath: "/romm/library" },
  ],
  // The saves and states of the family's games.
  backup: "critical",
  database: { engine: "postgres", sizeGi: 2, resources: resources("50m", "192Mi", "500m", "512Mi") },
  health: { path: "/api/heartbeat", port: 8080 },
  dashboard: { group: "Media", title: "Games", icon: "di:romm", description: "RomM: the family's retro games" },
  // Signs sessions and tokens (openssl rand -hex 32).
  secrets: [{ key: "ROMM_AUTH_SECRET_KEY", bitwarden: "romm-auth-secret-key" }],
  egress: [{ why: "game metadata and artwork (IGDB, ScreenScraper, RetroAchievements, SteamGridDB...)", to: "world", ports: [443] }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(romm, ctx, {
      containers: {
        server: {
          image: serviceImages.romm,
          // Restricted does not require a read-only root filesystem.
          writesRoot: "the entrypoint writes nginx's configuration from templates into /etc/nginx/conf.d, and nginx its temporary files",
          env: {
            ROMM_BASE_URL: ctx.url,
            // MariaDB is RomM's default, with its port.
            ROMM_DB_DRIVER: "postgresql",
            DB_HOST: ctx.database?.host,
            DB_PORT: String(ctx.database?.port),
            DB_NAME: ctx.database?.name,
            DB_USER: ctx.database?.user,
            DB_PASSWD: { valueFrom: { secretKeyRef: { name: ctx.database?.secret, key: ctx.database?.passwordKey } } },
          },
        },
      },
      // Its built-in Valkey (task queue and cache) keeps its data here.
      scratch: { tmp: "/tmp", "redis-data": "/redis-data" },
    }),
};
