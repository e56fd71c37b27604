// A cluster's tunnel connector: cloudflared, two replicas on different nodes,
// its token from Bitwarden (where the cloud stack's TunnelEdge writes it). It
// only dials out to Cloudflare, so the cluster publishes its Gateway without
// any port open where it runs; the tunnel's ingress sends every hostname to
// the Gateway's Service.
import { images } from "../../config/versions";
import { Manifest, namespace, nonRootPodSecurity } from "./context";
import { externalSecret } from "./externalSecrets";
import { resources } from "./resources";

export const tunnelConnectorNamespace = "cloudflared";
const tokenSecret = { name: "tunnel-token", key: "token" } as const;
export const tunnelConnectorResources = resources("10m", "64Mi", "250m", "192Mi");

export function tunnelConnectorManifests(bitwardenKey: string): Manifest[] {
  const labels = { "app.kubernetes.io/name": "cloudflared" };
  return [
    namespace(tunnelConnectorNamespace, "restricted"),
    externalSecret(tokenSecret.name, tunnelConnectorNamespace, [{ key: tokenSecret.key, bitwardenId: bitwardenKey }]),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "cloudflared", namespace: tunnelConnectorNamespace, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: nonRootPodSecurity,
            // One connector per node where there are two: a node's restart keeps the sites up.
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } }],
            containers: [
              {
                name: "cloudflared",
                image: images.cloudflared,
                args: ["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"],
                env: [{ name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: tokenSecret.name, key: tokenSecret.key } } }],
                ports: [{ name: "metrics", containerPort: 2000, protocol: "TCP" }],
                resources: tunnelConnectorResources,
                // /ready answers 200 once the connector holds a connection to Cloudflare's edge.
                readinessProbe: { httpGet: { path: "/ready", port: "metrics" }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: "/ready", port: "metrics" }, periodSeconds: 30, failureThreshold: 6 },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    },
  ];
}
