// Nextcloud (FR-011): the family's files, with version history. Login
// through Authentik (user_oidc); sync and DAV clients use app passwords.
// Official chart: one Apache pod, background jobs as a CronJob, PostgreSQL
// from CloudNativePG, Redis (the chart's subchart, standalone, no disk) for
// file locking and the shared cache, so a sync client's parallel uploads
// never fight over database locks.
import { serviceCharts, serviceImages } from "../config/versions";
import { claimNameOf } from "../components/service/manifests";
import { DataVolume, LibraryVolume, oidcIssuer, ServiceContext, ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

const subdomain = "cloud";

// The charts want registry and repository apart.
const [registry, ...repository] = serviceImages.nextcloud.repository.split("/");
const [redisRegistry, ...redisRepository] = serviceImages.nextcloudRedis.repository.split("/");

// Code, config and apps: the chart's main claim.
const html: DataVolume = { kind: "data", name: "html", sizeGi: 5, mountPath: "/var/www/html" };
// The family's files: the `files` folder of the home NFS server (its own ZFS
// dataset, snapshotted with the rest of the pool), reached from the cloud
// through Twingate; the cluster's NFS server address is config
// (platform.storage.nfs.server). Owned by www-data, as whom Nextcloud writes.
const data: LibraryVolume = {
  kind: "library",
  folder: "files",
  access: "rw",
  owner: { uid: 33, gid: 33, why: "Nextcloud's Apache and PHP run as www-data (33) and chmod the data directory to 0770" },
  sizeGi: 2000,
  mountPath: "/var/www/html/data",
};

/** Runs before every start (as www-data): OIDC and background jobs are set here, not by hand in the admin pages. */
const beforeStarting = (ctx: ServiceContext) =>
  [
    "#!/bin/sh",
    'occ() { php /var/www/html/occ "$@"; }',
    "occ app:install user_oidc || occ app:enable user_oidc || exit 1",
    "occ app:enable files_versions || exit 1",
    // Usernames are Authentik's; its groups (in the profile scope) become Nextcloud groups, to share with "family".
    `occ user_oidc:provider authentik --clientid=nextcloud --clientsecret-env=OIDC_CLIENT_SECRET --discoveryuri=${oidcIssuer(ctx, "nextcloud")}.well-known/openid-configuration --scope="openid email profile" --unique-uid=0 --mapping-uid=preferred_username --mapping-groups=groups --group-provisioning=1 || exit 1`,
    // The login page goes straight to Authentik; /login?direct=1 keeps the local admin.
    "occ config:app:set --type=string --value=0 user_oidc allow_multiple_user_backends || exit 1",
    // Cloudflare refuses request bodies over 100 MB: the web client uploads in 50 MiB chunks.
    "occ config:app:set files max_chunk_size --value=52428800 || exit 1",
    "occ background:cron || exit 1",
  ].join("\n");

export const nextcloud: ServiceEntry = {
  name: "nextcloud",
  home: "cloud",
  chart: serviceCharts.nextcloud,
  workloadPaths: {
    server: { resources: "resources", replicas: "replicaCount" },
    cron: { resources: "cronjob.cronjob.resources" },
    redis: { resources: "redis.master.resources" },
  },
  workloads: {
    server: { resources: resources("100m", "512Mi", "400m", "1536Mi") },
    // cron.php every 5 minutes; PHP may take its 512M memory_limit.
    cron: { resources: resources("25m", "128Mi", "100m", "512Mi") },
    // Locks and cached metadata for a family: tens of MiB.
    redis: { resources: resources("25m", "64Mi", "200m", "256Mi") },
  },
  auth: "sso",
  exposure: {
    kind: "tunnel",
    subdomain,
    port: 80,
    bypassSso: [
      // Desktop, mobile and DAV clients authenticate with app passwords on every request; they cannot follow an SSO redirect.
      { path: "/remote.php", why: "WebDAV file sync, CalDAV and CardDAV (app passwords)" },
      { path: "/ocs", why: "the clients' OCS API: capabilities, shares, notifications" },
      { path: "/index.php/login/v2", why: "Login Flow v2: the client starts and polls the login outside the browser" },
      { path: "/login/v2", why: "the same flow under pretty URLs (the poll URL Nextcloud hands out)" },
      { path: "/status.php", why: "clients check the server before login; the health probe" },
      { path: "/.well-known/caldav", why: "calendar apps discover the DAV endpoint without a browser" },
      { path: "/.well-known/carddav", why: "contact apps discover the DAV endpoint without a browser" },
    ],
  },
  volumes: [html, data],
  backup: "critical",
  database: { engine: "postgres", sizeGi: 4, resources: resources("50m", "256Mi", "200m", "768Mi") },
  health: { path: "/status.php", port: 80 },
  dashboard: { group: "Files", title: "Files", icon: "di:nextcloud", description: "Nextcloud: the family's files, with version history" },
  secrets: [
    // The first admin, under the key names the chart reads by default; day to day, admins sign in through Authentik.
    { key: "nextcloud-username", bitwarden: "nextcloud-admin-user" },
    { key: "nextcloud-password", bitwarden: "nextcloud-admin-password" },
    { key: "OIDC_CLIENT_SECRET", bitwarden: "nextcloud-oidc-client-secret" },
    { key: "redis-password", bitwarden: "nextcloud-redis-password" },
  ],
  // Calendar subscriptions, link previews, federated shares and the app store reach any public host.
  egress: [{ why: "app store and updates, calendar subscriptions, link previews, federated shares", to: "world", ports: [443] }],
  oidc: { redirectPaths: ["/apps/user_oidc/code"] },
  // The official image starts as root: the entrypoint installs and upgrades into the volume, Apache binds port 80, then both drop to www-data.
  podSecurity: { level: "baseline", why: "the official image's entrypoint and Apache start as root, then run as www-data" },
  wave: 3,
  values: (ctx) => {
    const host = `${subdomain}.${ctx.domain}`;
    const db = ctx.database;
    return {
      image: { registry, repository: repository.join("/"), tag: serviceImages.nextcloud.tag },
      replicaCount: 1,
      nextcloud: {
        host,
        trustedDomains: [host],
        existingSecret: { enabled: true, secretName: ctx.secretName },
        extraEnv: [
          // Large files: chunked uploads never reach these, plain WebDAV PUTs of big files do.
          { name: "PHP_UPLOAD_LIMIT", value: "16G" },
          { name: "APACHE_BODY_LIMIT", value: String(16 * 1024 ** 3) },
          // The Gateway's proxy and cloudflared connect from the pod network: their X-Forwarded-For is believed.
          { name: "TRUSTED_PROXIES", value: ctx.podSubnet },
          { name: "OVERWRITEHOST", value: host },
          { name: "OVERWRITECLIURL", value: ctx.url },
          { name: "OIDC_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: ctx.secretName, key: "OIDC_CLIENT_SECRET" } } },
        ],
        configs: {
          "homelab.config.php": [
            "<?php",
            "$CONFIG = array (",
            // Version history: kept on Nextcloud's thinning schedule, within half the user's free space.
            "  'versions_retention_obligation' => 'auto',",
            // New accounts start empty, not with sample files.
            "  'skeletondirectory' => '',",
            "  'maintenance_window_start' => 1,",
            ");",
          ].join("\n"),
        },
        hooks: { "before-starting": beforeStarting(ctx) },
        securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } },
      },
      // Links and redirects say https: TLS ends at Cloudflare.
      phpClientHttpsFix: { enabled: true, protocol: "https" },
      internalDatabase: { enabled: false },
      externalDatabase: {
        enabled: true,
        type: "postgresql",
        host: `${db?.host}:${db?.port}`,
        database: db?.name,
        existingSecret: { enabled: true, secretName: db?.secret, usernameKey: "username", passwordKey: db?.passwordKey },
      },
      redis: {
        enabled: true,
        architecture: "standalone",
        image: { registry: redisRegistry, repository: redisRepository.join("/"), tag: serviceImages.nextcloudRedis.tag },
        auth: { enabled: true, existingSecret: ctx.secretName, existingSecretPasswordKey: "redis-password" },
        // A cache and lock table: nothing to keep across restarts.
        master: { persistence: { enabled: false }, resources: nextcloud.workloads.redis.resources },
        // The namespace's Cilium policy already says who may talk to whom.
        networkPolicy: { enabled: false },
      },
      externalRedis: { enabled: false },
      cronjob: {
        enabled: true,
        // A CronJob runs cron.php as www-data (the sidecar would run crond as root all day).
        type: "cronjob",
        cronjob: {
          resources: nextcloud.workloads.cron.resources,
          successfulJobsHistoryLimit: 1,
          // The volumes are ReadWriteOnce on one node: the job runs beside the app pod.
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { "app.kubernetes.io/instance": nextcloud.name, "app.kubernetes.io/component": "app" } },
                  topologyKey: "kubernetes.io/hostname",
                },
              ],
            },
          },
          securityContext: {
            runAsUser: 33,
            runAsGroup: 33,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
        },
      },
      // The Service port is the container's, so the network policy's port is the one the Gateway reaches.
      service: { type: "ClusterIP", port: 80 },
      persistence: {
        enabled: true,
        existingClaim: claimNameOf(nextcloud, html),
        nextcloudData: { enabled: true, existingClaim: claimNameOf(nextcloud, data) },
      },
      resources: nextcloud.workloads.server.resources,
      // The first start installs into the volume and an upgrade migrates the database: minutes, not seconds.
      startupProbe: { enabled: true, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 60 },
    };
  },
};
