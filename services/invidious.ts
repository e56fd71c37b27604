// Invidious (FR-031): YouTube without Google's tracking or ads, with the
// family's own subscriptions. Invidious serves the pages; its companion
// talks to YouTube and streams the videos, reached only through Invidious
// (no public_url: Invidious proxies it under /companion).
import { stringify } from "yaml";
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { hostnameOf } from "../components/service/manifests";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";

const companionPort = 8282;

export const invidious: ServiceEntry = {
  name: "invidious",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["invidious", "companion"]),
  workloads: {
    invidious: { resources: resources("50m", "256Mi", "1000m", "1Gi") },
    companion: { resources: resources("50m", "128Mi", "500m", "512Mi") },
  },
  // Its own accounts for subscriptions; note that anyone with the address can watch without one.
  auth: "native",
  exposure: { kind: "tunnel", subdomain: "tube", port: 3000 },
  volumes: [],
  backup: "local",
  database: { engine: "postgres", sizeGi: 2, resources: resources("50m", "192Mi", "500m", "512Mi") },
  health: { path: "/api/v1/stats", port: 3000 },
  dashboard: { group: "Media", title: "Videos", icon: "di:invidious", description: "Invidious: YouTube without tracking or ads" },
  secrets: [
    // Signs CSRF tokens and subscriptions (pwgen 20 1); must differ from the companion key.
    { key: "INVIDIOUS_HMAC_KEY", bitwarden: "invidious-hmac-key" },
    // Shared by Invidious and its companion: exactly 16 alphanumeric characters.
    { key: "INVIDIOUS_INVIDIOUS_COMPANION_KEY", bitwarden: "invidious-companion-key" },
  ],
  egress: [{ why: "YouTube: pages, thumbnails and video streams (Google's addresses, no fixed list of names)", to: "world", ports: [443] }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(invidious, ctx, {
      containers: {
        invidious: {
          image: serviceImages.invidious,
          env: {
            // Non-secret settings as one YAML document; INVIDIOUS_<KEY> variables (the secrets, the database) override its keys.
            INVIDIOUS_CONFIG: stringify({
              check_tables: true,
              domain: hostnameOf(invidious, ctx.domain),
              https_only: true,
              external_port: 443,
              invidious_companion: [{ private_url: `http://${invidious.name}-companion:${companionPort}/companion` }],
              login_enabled: true,
              // Family members create their own accounts; the captcha keeps bots out.
              registration_enabled: true,
              captcha_enabled: true,
              statistics_enabled: false,
            }),
            INVIDIOUS_DATABASE_URL: { valueFrom: { secretKeyRef: { name: ctx.database?.secret, key: "uri" } } },
          },
        },
        companion: {
          image: serviceImages.invidiousCompanion,
          env: { SERVER_SECRET_KEY: { valueFrom: { secretKeyRef: { name: ctx.secretName, key: "INVIDIOUS_INVIDIOUS_COMPANION_KEY" } } } },
          // The image's own user.
          runAs: 10001,
          port: companionPort,
          // At the root, not under /companion.
          probe: { path: "/healthz", port: companionPort },
        },
      },
      // The companion caches YouTube's player scripts under /var/tmp.
      scratch: { tmp: "/tmp", cache: "/var/tmp" },
    }),
};
