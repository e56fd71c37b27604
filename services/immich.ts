// Immich (FR-028): the family's photos and videos, from the phones' backup
// to shared albums. Login through Authentik (Immich's own OAuth); the
// originals live in the media library's `photos` folder.
import { serviceCharts, serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { claimNameOf } from "../components/service/manifests";
import { LibraryVolume, oidcIssuer, ServiceEntry } from "./entry";

// Every file Immich writes (originals, thumbnails, encoded videos) goes under /data, where the chart mounts the library claim.
const library: LibraryVolume = { kind: "library", folder: "photos", access: "rw", sizeGi: 1000, mountPath: "/data" };

/** A component's one container, as the chart nests it (server, machine-learning and valkey each have controllers.main). */
const component = (container: Record<string, unknown>) => ({ controllers: { main: { containers: { main: container } } } });

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
  // The OAuth client secret is not here: see the configuration below.
  secrets: [],
  // Machine learning downloads its models from Hugging Face on first start; their CDN hostnames vary.
  egress: [{ why: "machine-learning models from Hugging Face (CDN hostnames vary)", to: "world", ports: [443] }],
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
      // Immich reads no environment in its config file and the chart's Secret kind would still put the
      // client secret in these values (the Argo CD Application). So OAuth is configured without it: the
      // identity work registers `immich` as a public client, or the config moves to an ExternalSecret
      // template (immich.existingConfiguration) once secrets can be templated.
      configuration: {
        server: { externalDomain: ctx.url },
        oauth: {
          enabled: true,
          issuerUrl: oidcIssuer(ctx, "immich"),
          clientId: "immich",
          scope: "openid email profile",
          buttonText: "Sign in with Authentik",
          autoRegister: true,
        },
        // Kept until SSO is proven: the admin's password login.
        passwordLogin: { enabled: true },
      },
      configurationKind: "ConfigMap",
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
