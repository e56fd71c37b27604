import * as twingate from "@twingate/pulumi-twingate";
import { TwingateAccess } from "../../components/TwingateAccess";
import { homeConnectors, privateResources, protocolRule, resourceRow, twingateBitwarden } from "../../components/twingate/model";
import { serviceKeyPath, twingateClientManifests, twingateConnectorManifests } from "../../components/platform/twingate";
import { publicRoutes } from "../../components/edge/routes";
import { recordResources } from "../../plan/mockRuntime";
import { catalog } from "../../services";
import type { ServiceEntry } from "../../services/entry";

const domain = "homelab.example";
// Computed inside each test: code run while tests are collected is out of reach of mutation testing's per-test switch.
const publicHostnames = () => publicRoutes(domain, catalog).map((r) => r.hostname);
const resources = () => privateResources({ nfsServer: "192.168.68.51", telemetryAddress: "192.168.71.242", domain, catalog, publicHostnames: publicHostnames() });
type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("private resources", () => {
  it("are the NFS share (port 2049 only, admins and the cloud nodes), prod's telemetry address (the cloud nodes and the management VM only), then each home LAN app by its cluster DNS name", () => {
    expect(resources()[0]).toEqual({
      id: "home-nfs",
      name: "home NFS (media library and files)",
      address: "192.168.68.51",
      tcp: [2049],
      udp: [],
      groups: ["admins"],
      cloudNodes: true,
      managementVm: false,
      why: expect.any(String),
    });
    expect(resources().slice(1).map((r) => [r.id, r.address, r.alias, r.tcp, r.udp, r.groups, r.cloudNodes, r.managementVm])).toEqual([
      ["prod-telemetry", "192.168.71.242", undefined, [3100, 9090], [], [], true, true],
      ["adguard", "adguard-dns.adguard.svc.cluster.local", "adguard.lan.homelab.example", [53, 443, 853], [53], ["admins"], false, false],
      ["home-assistant", "home-assistant-web.home-assistant.svc.cluster.local", "home-assistant.lan.homelab.example", [8123], [], ["admins", "family"], false, false],
    ]);
  });

  it("leave out cloud apps and apps on the tunnel: Twingate carries the home LAN only", () => {
    const cloudLan = { ...catalog.find((e) => e.name === "home-assistant"), name: "cloudy", home: "cloud" } as ServiceEntry;
    const tunnelled = catalog.filter((e) => e.exposure.kind === "tunnel");
    expect(privateResources({ nfsServer: "10.1.2.3", telemetryAddress: "10.1.2.4", domain, catalog: [cloudLan, ...tunnelled], publicHostnames: publicHostnames() }).map((r) => r.id)).toEqual(["home-nfs", "prod-telemetry"]);
  });

  it("refuse an alias that is also a public hostname", () => {
    expect(() => privateResources({ nfsServer: "192.168.68.51", telemetryAddress: "192.168.71.242", domain, catalog, publicHostnames: ["home-assistant.lan.homelab.example"] })).toThrow(
      "Twingate: the alias home-assistant.lan.homelab.example of home-assistant is also a public hostname; expected names of their own under lan.homelab.example",
    );
  });

  it("deny a protocol outright when no port of it is published", () => {
    expect(protocolRule([])).toEqual({ policy: "DENY_ALL", ports: [] });
    expect(protocolRule([2049])).toEqual({ policy: "RESTRICTED", ports: ["2049"] });
  });

  it("print what a client types, what the connectors reach and who may", () => {
    expect(resources().map(resourceRow)).toEqual([
      { resource: "home-nfs", address: "192.168.68.51", reaches: "192.168.68.51", ports: "2049/tcp", who: "homelab admins, the cloud cluster's nodes" },
      { resource: "prod-telemetry", address: "192.168.71.242", reaches: "192.168.71.242", ports: "3100/tcp 9090/tcp", who: "the cloud cluster's nodes, the management VM" },
      { resource: "adguard", address: "adguard.lan.homelab.example", reaches: "adguard-dns.adguard.svc.cluster.local", ports: "53/tcp 443/tcp 853/tcp 53/udp", who: "homelab admins" },
      { resource: "home-assistant", address: "home-assistant.lan.homelab.example", reaches: "home-assistant-web.home-assistant.svc.cluster.local", ports: "8123/tcp", who: "homelab admins, homelab family" },
    ]);
  });
});

describe("TwingateAccess", () => {
  type Run = Awaited<ReturnType<typeof recordResources>>;
  let run: Run;
  beforeAll(async () => {
    run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, () => {
      const access = new TwingateAccess("twingate", {
        provider: new twingate.Provider("twingate", { apiToken: "fake-twingate-token", network: "homelab" }),
        network: "homelab",
        resources: resources(),
        bitwarden: { organizationId: "org", projectId: "project", apiUrl: "https://api.bitwarden.com", identityUrl: "https://identity.bitwarden.com", accessToken: "fake-writer-token" },
      });
      return { table: access.table, managementVmKey: access.managementVmKey };
    });
  });
  const of = (type: string) => run.resources.filter((r) => r.type === type);
  const one = (type: string, name: string) => of(type).find((r) => r.name === name)?.inputs as Inputs;

  it("creates the home network with two connectors, each with its own tokens", () => {
    expect(of("twingate:index/twingateRemoteNetwork:TwingateRemoteNetwork").map((r) => r.inputs)).toEqual([expect.objectContaining({ name: "homelab home", location: "ON_PREMISE" })]);
    expect(of("twingate:index/twingateConnector:TwingateConnector").map((r) => r.name).sort()).toEqual(["twingate-connector-home-a", "twingate-connector-home-b"]);
    expect(of("twingate:index/twingateConnectorTokens:TwingateConnectorTokens").map((r) => r.name).sort()).toEqual(["twingate-connector-home-a-tokens", "twingate-connector-home-b-tokens"]);
  });

  it("writes the tokens, the network and the nodes' key to Bitwarden, as secrets", () => {
    const written = of("pulumi-nodejs:dynamic/homelab:BitwardenSecret").map((r) => [(r.inputs as Inputs).key, (r.inputs as Inputs).value]);
    expect(written.sort()).toEqual(
      [
        [twingateBitwarden.cloudServiceKey, "[secret]"],
        ...homeConnectors.flatMap((c) => [
          [twingateBitwarden.accessToken(c), "[secret]"],
          [twingateBitwarden.refreshToken(c), "[secret]"],
        ]),
        [twingateBitwarden.network, "[secret]"],
      ].sort(),
    );
  });

  it("publishes each resource with its ports, groups, and the service account only where the cloud nodes need it", () => {
    const nfs = one("twingate:index/twingateResource:TwingateResource", "twingate-resource-home-nfs");
    expect(nfs).toMatchObject({ address: "192.168.68.51", isAuthoritative: true, protocols: { allowIcmp: false, tcp: { policy: "RESTRICTED", ports: ["2049"] }, udp: { policy: "DENY_ALL", ports: [] } } });
    expect(nfs.accessGroups).toHaveLength(1);
    expect(nfs.accessServices).toHaveLength(1);
    const ha = one("twingate:index/twingateResource:TwingateResource", "twingate-resource-home-assistant");
    expect(ha).toMatchObject({ alias: "home-assistant.lan.homelab.example", isVisible: true });
    expect(ha.accessGroups).toHaveLength(2);
    expect(ha.accessServices).toEqual([]);
    expect(one("twingate:index/twingateResource:TwingateResource", "twingate-resource-adguard").accessGroups).toHaveLength(1);
  });

  it("keeps the groups' members to the console and the nodes' key from expiring", () => {
    expect(of("twingate:index/twingateGroup:TwingateGroup").map((r) => [r.name, (r.inputs as Inputs).name, (r.inputs as Inputs).isAuthoritative]).sort()).toEqual([
      ["twingate-group-admins", "homelab admins", false],
      ["twingate-group-family", "homelab family", false],
    ]);
    expect(one("twingate:index/twingateServiceAccountKey:TwingateServiceAccountKey", "twingate-cloud-nodes-key")).toMatchObject({ expirationTime: 0 });
  });

  it("gives the management VM an account and key of its own, which reach prod's telemetry address only and never go to Bitwarden", () => {
    expect(of("twingate:index/twingateServiceAccount:TwingateServiceAccount").map((r) => [r.name, (r.inputs as Inputs).name]).sort()).toEqual([
      ["twingate-cloud-nodes", "homelab cloud cluster nodes"],
      ["twingate-management-vm", "homelab management VM"],
    ]);
    expect(one("twingate:index/twingateServiceAccountKey:TwingateServiceAccountKey", "twingate-management-vm-key")).toMatchObject({ expirationTime: 0 });
    const withTwo = of("twingate:index/twingateResource:TwingateResource").filter((r) => ((r.inputs as Inputs).accessServices ?? []).length === 2);
    expect(withTwo.map((r) => r.name)).toEqual(["twingate-resource-prod-telemetry"]);
    expect(run.outputs.managementVmKey).toBe("[secret]");
  });
});

describe("Twingate in the clusters", () => {
  it("runs each home connector as its own Deployment, its tokens from Bitwarden, unprivileged", () => {
    const manifests = twingateConnectorManifests();
    expect(manifests[0].metadata).toMatchObject({ name: "twingate", labels: { "pod-security.kubernetes.io/enforce": "restricted" } });
    const secrets = manifests.filter((m) => m.kind === "ExternalSecret");
    expect(secrets.map((s) => (s.spec as Inputs).data.map((d: Inputs) => d.remoteRef.key))).toEqual(
      homeConnectors.map((c) => [twingateBitwarden.network, twingateBitwarden.accessToken(c), twingateBitwarden.refreshToken(c)]),
    );
    const deployments = manifests.filter((m) => m.kind === "Deployment") as Inputs[];
    expect(deployments.map((d) => [d.metadata.name, d.spec.replicas, d.spec.strategy.type])).toEqual([
      ["connector-home-a", 1, "Recreate"],
      ["connector-home-b", 1, "Recreate"],
    ]);
    const pod = deployments[0].spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.containers[0]).toMatchObject({ image: "docker.io/twingate/connector:1.93.0", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } });
    expect(pod.containers[0].env.map((e: Inputs) => [e.name, e.valueFrom?.secretKeyRef?.name])).toEqual([
      ["TWINGATE_NETWORK", "connector-home-a"],
      ["TWINGATE_ACCESS_TOKEN", "connector-home-a"],
      ["TWINGATE_REFRESH_TOKEN", "connector-home-a"],
      ["TWINGATE_LABEL_HOSTNAME", undefined],
      ["TWINGATE_LABEL_DEPLOYED_BY", undefined],
    ]);
    expect(pod.hostNetwork).toBeUndefined();
  });

  it("runs the headless client on every cloud node, in the node's network, with the key and a TUN device", () => {
    const image = "docker.io/twingate/client:latest@sha256:" + "a".repeat(64);
    const [ns, secret, daemonSet] = twingateClientManifests(image, "key-1") as Inputs[];
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(secret.metadata.annotations).toEqual({ "force-sync": "key-1" });
    expect(secret.spec.data).toEqual([{ secretKey: "service_key.json", remoteRef: { key: twingateBitwarden.cloudServiceKey } }]);
    const pod = daemonSet.spec.template;
    expect(pod.metadata.annotations).toEqual({ "homelab/service-key-id": "key-1" });
    expect(pod.spec).toMatchObject({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet", tolerations: [{ operator: "Exists" }] });
    expect(pod.spec.containers[0]).toMatchObject({ image, securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN"] } } });
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: "service-key", mountPath: serviceKeyPath, subPath: "service_key.json", readOnly: true });
    expect(pod.spec.volumes).toContainEqual({ name: "tun", hostPath: { path: "/dev/net/tun", type: "CharDevice" } });
  });
});

describe("Twingate's workloads, whole", () => {
  it("a home connector: one process per token pair, away from the other connector, unprivileged", () => {
    const labels = { "app.kubernetes.io/name": "twingate-connector", "app.kubernetes.io/instance": "home-b" };
    const fromSecret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: "connector-home-b", key } } });
    expect(twingateConnectorManifests()[4]).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "connector-home-b", namespace: "twingate", labels },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "twingate-connector" } } } }],
              },
            },
            containers: [
              {
                name: "connector",
                image: "docker.io/twingate/connector:1.93.0",
                env: [
                  fromSecret("TWINGATE_NETWORK", "network"),
                  fromSecret("TWINGATE_ACCESS_TOKEN", "access-token"),
                  fromSecret("TWINGATE_REFRESH_TOKEN", "refresh-token"),
                  { name: "TWINGATE_LABEL_HOSTNAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "TWINGATE_LABEL_DEPLOYED_BY", value: "homelab" },
                ],
                resources: { requests: { cpu: "25m", memory: "96Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    });
  });

  it("the cloud nodes' client: every node, first, in the node's network, ready once its interface is up", () => {
    const labels = { "app.kubernetes.io/name": "twingate-client" };
    expect(twingateClientManifests("IMG", "key-2")[2]).toEqual({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "twingate-client", namespace: "twingate-client", labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { "homelab/service-key-id": "key-2" } },
          spec: {
            hostNetwork: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            automountServiceAccountToken: false,
            priorityClassName: "system-node-critical",
            tolerations: [{ operator: "Exists" }],
            containers: [
              {
                name: "client",
                image: "IMG",
                securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } },
                volumeMounts: [
                  { name: "service-key", mountPath: "/etc/twingate/service_key.json", subPath: "service_key.json", readOnly: true },
                  { name: "tun", mountPath: "/dev/net/tun" },
                ],
                readinessProbe: { exec: { command: ["test", "-e", "/sys/class/net/sdwan0"] }, periodSeconds: 10 },
                resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
              },
            ],
            volumes: [
              { name: "service-key", secret: { secretName: "service-key", defaultMode: 0o400 } },
              { name: "tun", hostPath: { path: "/dev/net/tun", type: "CharDevice" } },
            ],
          },
        },
      },
    });
    expect(twingateClientManifests("IMG", "key-2")[1]).toEqual({
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name: "service-key", namespace: "twingate-client", annotations: { "force-sync": "key-2" } },
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: "ClusterSecretStore", name: "bitwarden" },
        target: { name: "service-key", creationPolicy: "Owner" },
        data: [{ secretKey: "service_key.json", remoteRef: { key: "twingate-cloud-nodes-service-key" } }],
      },
    });
  });
});
