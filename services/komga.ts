// Komga (FR-018): the family's comics and manga, read in the browser or
// through OPDS readers, with its own accounts.
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";

export const komga: ServiceEntry = {
  name: "komga",
  home: "prod",
  dev: { workloads: { server: { resources: resources("10m", "384Mi", "500m", "1Gi") } } },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("50m", "512Mi", "1000m", "1536Mi") } },
  auth: "native",
  // The provisioning workflow creates each family member's account.
  accounts: "komga",
  exposure: { kind: "tunnel", subdomain: "comics", port: 25600 },
  volumes: [
    // Its database, search index, thumbnails and logs.
    { kind: "data", name: "config", sizeGi: 5, mountPath: "/config" },
    // Read-only: Komga only reads the books (its optional conversions and deletions stay off).
    { kind: "library", folder: "comics", access: "ro", sizeGi: 250, mountPath: "/comics" },
  ],
  backup: "local",
  health: { path: "/actuator/health", port: 25600 },
  dashboard: { group: "Media", title: "Comics", icon: "di:komga", description: "Komga: comics and manga" },
  secrets: [],
  egress: [],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(komga, ctx, {
      containers: {
        server: {
          image: serviceImages.komga,
          env: {
            KOMGA_CONFIGDIR: "/config",
            // The JVM sizes its heap from the container's limit (a quarter by default, too little for big libraries).
            JAVA_TOOL_OPTIONS: "-XX:MaxRAMPercentage=60",
          },
        },
      },
    }),
};
