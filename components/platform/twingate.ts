// Twingate inside the clusters (components/twingate/model.ts says why each
// piece runs where it does). At home (prod): the connectors, one Deployment
// per connector because a token pair serves one connector process; they only
// dial out. In the cloud: Twingate's headless client on every node, in the
// host's network, because kubelet mounts NFS volumes from the node's network
// namespace (a sidecar in the app's pod would never see the mount).
import type * as pulumi from "@pulumi/pulumi";
import { images } from "../../config/versions";
import { HomeConnector, homeConnectors, twingateBitwarden } from "../twingate/model";
import { Manifest, namespace, nonRootPodSecurity } from "./context";
import { externalSecret } from "./externalSecrets";
import { resources } from "./resources";

export const twingateConnectorNamespace = "twingate";
export const twingateClientNamespace = "twingate-client";
export const twingateConnectorResources = resources("25m", "96Mi", "500m", "256Mi");
export const twingateClientResources = resources("20m", "64Mi", "250m", "256Mi");

/** Where the headless client reads its service key. */
export const serviceKeyPath = "/etc/twingate/service_key.json";

const connectorLabels = { "app.kubernetes.io/name": "twingate-connector" };
const secretOf = (c: HomeConnector) => `connector-${c}`;

export function twingateConnectorManifests(): Manifest[] {
  const manifests: Manifest[] = [namespace(twingateConnectorNamespace, "restricted")];
  for (const c of homeConnectors) {
    const secret = secretOf(c);
    manifests.push(
      externalSecret(secret, twingateConnectorNamespace, [
        { key: "network", bitwardenId: twingateBitwarden.network },
        { key: "access-token", bitwardenId: twingateBitwarden.accessToken(c) },
        { key: "refresh-token", bitwardenId: twingateBitwarden.refreshToken(c) },
      ]),
    );
    const labels = { ...connectorLabels, "app.kubernetes.io/instance": c };
    const fromSecret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    manifests.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: secret, namespace: twingateConnectorNamespace, labels },
      spec: {
        replicas: 1,
        // One process per token pair: the old pod stops before the new one starts.
        strategy: { type: "Recreate" },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: nonRootPodSecurity,
            // The two connectors on different nodes where there are two.
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: connectorLabels } } }] } },
            containers: [
              {
                name: "connector",
                image: images.twingateConnector,
                env: [
                  fromSecret("TWINGATE_NETWORK", "network"),
                  fromSecret("TWINGATE_ACCESS_TOKEN", "access-token"),
                  fromSecret("TWINGATE_REFRESH_TOKEN", "refresh-token"),
                  { name: "TWINGATE_LABEL_HOSTNAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "TWINGATE_LABEL_DEPLOYED_BY", value: "homelab" },
                ],
                resources: twingateConnectorResources,
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    });
  }
  return manifests;
}

/**
 * The cloud nodes' client. `keyId` (the service key's ID, not the key) is in
 * the pod template and the ExternalSecret: a rotated key refreshes the Secret
 * and rolls the clients without anyone typing a command.
 */
export function twingateClientManifests(image: string, keyId: pulumi.Input<string>): Manifest[] {
  const labels = { "app.kubernetes.io/name": "twingate-client" };
  const secret = externalSecret("service-key", twingateClientNamespace, [{ key: "service_key.json", bitwardenId: twingateBitwarden.cloudServiceKey }]);
  secret.metadata.annotations = { "force-sync": keyId as string };
  return [
    // Privileged: the client creates a TUN device and routes in the node's network namespace.
    namespace(twingateClientNamespace, "privileged"),
    secret,
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "twingate-client", namespace: twingateClientNamespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { "homelab/service-key-id": keyId } },
          spec: {
            hostNetwork: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            automountServiceAccountToken: false,
            // Library volumes cannot mount on a node without it: it goes before the apps.
            priorityClassName: "system-node-critical",
            tolerations: [{ operator: "Exists" }],
            containers: [
              {
                name: "client",
                image,
                securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } },
                volumeMounts: [
                  { name: "service-key", mountPath: serviceKeyPath, subPath: "service_key.json", readOnly: true },
                  { name: "tun", mountPath: "/dev/net/tun" },
                ],
                // Ready once the client's TUN interface is up in the node's namespace.
                readinessProbe: { exec: { command: ["test", "-e", "/sys/class/net/sdwan0"] }, periodSeconds: 10 },
                resources: twingateClientResources,
              },
            ],
            volumes: [
              { name: "service-key", secret: { secretName: "service-key", defaultMode: 0o400 } },
              { name: "tun", hostPath: { path: "/dev/net/tun", type: "CharDevice" } },
            ],
          },
        },
      },
    },
  ];
}
