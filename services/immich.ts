// Immich (FR-028): the family's photos and videos, from the phones' backup
// to shared albums. Login through Authentik (Immich's own OAuth); the
// originals live in the media library's `photos` folder.
import { serviceCharts, serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { claimNameOf } from "../components/service/manifests";
import { LibraryVolume, oidcIssuer, ServiceContext, ServiceEntry } from "./entry";

// Every file Immich writes (originals, thumbnails, encoded videos) goes under /data, where the chart mounts the library claim.
const library: LibraryVolume = {
  kind: "library",
  folder: "photos",
  access: "rw",
  owner: { uid: 1000, gid: 1000, why: "the Immich server runs as 1000 (its pod security context) and writes uploads and thumbnails" },
  sizeGi: 1000,
  mountPath: "/data",
};

/** A component's one container, as the chart nests it (server, machine-learning and valkey each have controllers.main). */
const component = (container: Record<string, unknown>) => ({ controllers: { main: { containers: { main: container } } } });

const configFile = "immich-config.yaml";
const clientSecretSlot = "@OAUTH_CLIENT_SECRET@";

/**
 * Immich's settings file (JSON is valid YAML): OAuth through Authentik, the
 * client secret left as an External Secrets template expression, JSON-quoted
 * whatever characters it holds.
 */
export function immichConfig(ctx: ServiceContext): string {
  const config = {
    server: { externalDomain: ctx.url },
    oauth: {
      enabled: true,
      issuerUrl: oidcIssuer(ctx, "immich"),
      clientId: "immich",
      clientSecret: clientSecretSlot,
      scope: "openid email profile",
      buttonText: "Sign in with Authentik",
      autoRegister: true,
    },
    // Kept until SSO is proven: the admin's password login.
    passwordLogin: { enabled: true },
  };
  return JSON.stringify(config, null, 2).replace(JSON.stringify(clientSecretSlot), "{{ .OAUTH_CLIENT_SECRET | toJson }}");
}

export const immich: ServiceEntry = {
  name: "immich",
  home: "cloud",
  chart: serviceCharts.immich,
  workloadPaths: {
    server: { resources: "server.controllers.main.containers.main.resources" },
    "machine-learning": { resources: "machine-learning.controllers.main.containers.main.resources" },
    valkey: { resources: "valkey.controllers.main.containers.main.resources" },
  },
  // About 2 GB of requests with the database; machine learning peaks well above its request while it indexes.
  workloads: {
    server: { resources: resources("100m", "512Mi", "2000m", "1536Mi") },
    "machine-learning": { resources: resources("100m", "1Gi", "2000m", "3Gi") },
    valkey: { resources: resources("10m", "64Mi", "200m", "256Mi") },
  },
  auth: "sso",
  exposure: {
    kind: "tunnel",
    subdomain: "photos",
    port: 2283,
    bypassSso: [
      // The mobile apps back up and browse through the API with Immich's own tokens; they cannot follow an SSO redirect.
      { path: "/api", why: "the mobile apps' API (Immich's own tokens), including the OAuth callback" },
      { path: "/.well-known/immich", why: "the mobile apps discover the API endpoint here before any login" },
      { path: "/share", why: "shared albums and links for people without an account" },
    ],
  },
  volumes: [library],
  backup: "critical",
  // VectorChord (vchord, with pgvector) for smart search and face recognition; earthdistance (with cube) for the map.
  database: { engine: "postgres", sizeGi: 5, extensions: ["vchord", "earthdistance"], preload: ["vchord.so"], image: serviceImages.postgresVectorchord, resources: resources("50m", "384Mi", "1000m", "1Gi") },
  health: { path: "/api/server/ping", port: 2283 },
  dashboard: { group: "Media", title: "Photos", icon: "di:immich", description: "Immich: the family's photos and videos" },
  secrets: [{ key: "OAUTH_CLIENT_SECRET", bitwarden: "immich-oidc-client-secret" }],
  // Immich reads its settings from one file and no environment: External Secrets renders the whole file into the
  // app's Secret, the client secret filled in there (never in the Application's values).
  secretTemplate: (ctx) => ({ [configFile]: immichConfig(ctx) }),
  // Machine learning downloads its models from Hugging Face on first start; their CDN hostnames vary.
  egress: [{ why: "machine-learning models from Hugging Face (CDN hostnames vary)", to: "world", ports: [443] }],
  // The web app returns to its login page or the account settings; the mobile apps to their own scheme.
  oidc: { redirectPaths: ["/auth/login", "/user-settings"], otherRedirectUris: ["app.immich:///oauth-callback"] },
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) => ({
    // Top-level keys apply to every component (server, machine learning, valkey).
    defaultPodOptions: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } },
    },
    controllers: { main: { containers: { main: { env: { TZ: ctx.timezone }, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } } } } },
    immich: {
      persistence: { library: { existingClaim: claimNameOf(immich, library) } },
      // The file External Secrets renders (secretTemplate): the chart mounts it and points IMMICH_CONFIG_FILE at it.
      existingConfiguration: ctx.secretName,
      configurationKind: "Secret",
    },
    server: {
      // The route targets a Service named after the entry; the chart would call it immich-server.
      global: { fullnameOverride: immich.name },
      ...component({
        image: { repository: serviceImages.immichServer.repository, tag: serviceImages.immichServer.tag },
        env: {
          DB_URL: { valueFrom: { secretKeyRef: { name: ctx.database?.secret, key: "uri" } } },
          DB_VECTOR_EXTENSION: "vectorchord",
        },
        resources: immich.workloads.server.resources,
      }),
    },
    "machine-learning": component({
      image: { repository: serviceImages.immichMachineLearning.repository, tag: serviceImages.immichMachineLearning.tag },
      resources: immich.workloads["machine-learning"].resources,
    }),
    // The job queue, on the chart's emptyDir: a lost queue is refilled by Immich's nightly jobs.
    valkey: {
      enabled: true,
      ...component({
        image: { repository: serviceImages.valkey.repository, tag: `${serviceImages.valkey.tag}@${serviceImages.valkey.digest}` },
        resources: immich.workloads.valkey.resources,
      }),
    },
  }),
};
