import * as oci from "@pulumi/oci";
import { parse } from "yaml";
import { OmniServer, declaredPorts } from "../../components/OmniServer";
import { cloudInit, composeProject, deployScript } from "../../components/omni/managementVm";
import { egressProxyService, squidConf } from "../../components/omni/egressProxy";
import { OciConfig, OmniServerConfig } from "../../config/schema";
import { images } from "../../config/versions";
import { recordResources } from "../../plan/mockRuntime";
import { committedRaw } from "../helpers";

const values = committedRaw("cloud").values;
const ociConfig = values.oci as OciConfig;
const omniConfig = values.omni as OmniServerConfig;
const composeArgs = { accountId: omniConfig.accountId, accountName: "homelab", hostname: "omni.homelab.example", publicIp: "198.51.100.7", initialUsers: ["admin@homelab.example"], ports: omniConfig.ports, egressProxy: { listenIp: "10.0.1.10", allowedCidrs: ["10.0.1.0/24"], port: 3128 } };

describe("management VM documents (pure)", () => {
  const compose = composeProject(composeArgs) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("runs the pinned Omni and PostgreSQL images", () => {
    expect(compose.services.omni.image).toBe(images.omni);
    expect(compose.services.postgres.image).toBe(images.postgres);
    expect(Object.values(images).every((image) => /:[v\d][\w.-]+$/.test(image) && !image.endsWith(":latest"))).toBe(true);
  });

  it("advertises SideroLink on the reserved public IP and keeps the account id", () => {
    const flags: string[] = compose.services.omni.command;
    expect(flags).toContain(`--account-id=${omniConfig.accountId}`);
    expect(flags).toContain("--siderolink-wireguard-advertised-addr=198.51.100.7:50180");
    expect(flags).toContain("--siderolink-api-advertised-url=grpc://198.51.100.7:8090");
    expect(flags).toContain("--initial-users=admin@homelab.example");
    expect(flags).toContain("--private-key-source=file:///omni.asc");
  });

  it("never renders a secret: PostgreSQL's password is a variable from the VM's .env", () => {
    expect(compose.services.postgres.environment.POSTGRES_PASSWORD).toBe("${POSTGRES_PASSWORD:?set in .env}");
    expect(compose.networks.backend.internal).toBe(true);
  });

  it("installs Docker from cloud-init and allows SSH by key only", () => {
    const init = cloudInit();
    expect(init.startsWith("#cloud-config\n")).toBe(true);
    expect(parse(init)).toMatchObject({ ssh_pwauth: false, disable_root: true, packages: expect.arrayContaining(["docker.io", "docker-compose-v2"]) });
  });

  it("deploys idempotently: the etcd key is created once, the proxy's configuration and compose are written, compose is started with --wait", () => {
    const script = deployScript("services: {}\n", [{ path: "egress-proxy/squid.conf", content: "http_port 10.0.1.10:3128\n", what: "the proxy's configuration" }]);
    expect(script).toContain("if [ ! -s /opt/homelab/omni/omni.asc ]; then");
    expect(script).toContain("sudo install -d -m 0755 '/opt/homelab/egress-proxy'");
    expect(script).toContain("sudo tee '/opt/homelab/egress-proxy/squid.conf' >/dev/null <<'HOMELAB_EOF'\nhttp_port 10.0.1.10:3128\nHOMELAB_EOF");
    // Without steps, PostgreSQL starts with everything else.
    expect(script).not.toContain("up -d --wait postgres");
    // The configuration exists before compose starts the container that mounts it.
    expect(script.indexOf("egress-proxy/squid.conf")).toBeLessThan(script.indexOf("docker compose up"));
    expect(script).toContain("docker compose up -d --remove-orphans --wait");
  });

  it("runs the egress proxy on the VM's own network, its configuration mounted read-only and hashed into a label", () => {
    const proxy = compose.services["egress-proxy"];
    expect(proxy).toMatchObject({ image: images.squid, network_mode: "host", restart: "unless-stopped", volumes: ["./egress-proxy/squid.conf:/etc/squid/squid.conf:ro"] });
    const other = egressProxyService(images.squid, squidConf({ ...composeArgs.egressProxy, allowedCidrs: ["10.0.2.0/24"] }));
    // A changed configuration changes the label, so compose recreates the container with it.
    expect((other.labels as Record<string, string>)["homelab.io/config-sha256"]).not.toBe(proxy.labels["homelab.io/config-sha256"]);
    expect(proxy.labels["homelab.io/config-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("declared ports", () => {
  it("opens SSH, the API and the Kubernetes proxy to admins, SideroLink to everyone", () => {
    expect(declaredPorts(ociConfig, omniConfig).map((p) => [p.protocol, p.port, p.sources])).toEqual([
      ["tcp", 22, ["203.0.113.10/32"]],
      ["tcp", 443, ["203.0.113.10/32"]],
      ["udp", 50180, ["0.0.0.0/0"]],
      ["tcp", 8090, ["0.0.0.0/0"]],
      ["tcp", 8100, ["203.0.113.10/32"]],
    ]);
  });
});

describe("OmniServer (mocks)", () => {
  let run: Awaited<ReturnType<typeof recordResources>>;
  beforeAll(async () => {
    run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, () => {
      const provider = new oci.Provider("oci", {});
      new OmniServer("omni", { stack: "cloud", provider, oci: ociConfig, omni: omniConfig, sshPublicKey: values.sshPublicKey, sshPrivateKey: "plain-key" });
    });
  });
  const one = (type: string) => run.resources.filter((r) => r.type === type);

  it("creates the management VM as A1.Flex 1 OCPU / 6 GB / 50 GB without an ephemeral public IP", () => {
    const [vm] = one("oci:Core/instance:Instance");
    expect(vm.inputs).toMatchObject({
      shape: "VM.Standard.A1.Flex",
      shapeConfig: { ocpus: 1, memoryInGbs: 6 },
      sourceDetails: { sourceType: "image", bootVolumeSizeInGbs: "50" },
      createVnicDetails: { privateIp: "10.0.1.10", assignPublicIp: "false" },
      freeformTags: { stack: "cloud", cluster: "standalone", backup: "volume-backup" },
    });
  });

  it("reserves the static public IP", () => {
    expect(one("oci:Core/publicIp:PublicIp")[0].inputs).toMatchObject({ lifetime: "RESERVED", privateIpId: "ocid1.privateip.oc1..mock" });
  });

  it("opens only the VCN and the declared ports", () => {
    const rules = one("oci:Core/securityList:SecurityList")[0].inputs.ingressSecurityRules as { source: string; tcpOptions?: { min: number }; udpOptions?: { min: number } }[];
    expect(rules.map((r) => `${r.source}:${r.tcpOptions?.min ?? r.udpOptions?.min ?? "all"}`)).toEqual([
      "10.0.0.0/16:all",
      "203.0.113.10/32:22",
      "203.0.113.10/32:443",
      "0.0.0.0/0:50180",
      "0.0.0.0/0:8090",
      "203.0.113.10/32:8100",
    ]);
  });

  it("backs up the boot volume weekly, keeping four", () => {
    const [policy] = one("oci:Core/volumeBackupPolicy:VolumeBackupPolicy");
    expect(policy.inputs.schedules).toEqual([expect.objectContaining({ period: "ONE_WEEK", retentionSeconds: 4 * 7 * 24 * 3600 })]);
    expect(one("oci:Core/volumeBackupPolicyAssignment:VolumeBackupPolicyAssignment")[0].inputs.assetId).toBe("ocid1.bootvolume.oc1..mockomni-vm");
  });

  it("starts compose over SSH with the .env and TLS key only as secrets", () => {
    const up = run.resources.find((r) => r.name === "omni-compose-up")!;
    expect(up.inputs.stdin).toBe("[secret]");
    expect(up.inputs.connection).toBe("[secret]");
    expect(up.inputs.create).toContain("docker compose up");
    // What the plan shows (inputs) never holds them; the wire form keeps them for the analyzer, as the engine does.
    expect(JSON.stringify(run.resources.map((r) => r.inputs))).not.toMatch(/plain-key|mock-random-password|mock-private-key/);
  });
});

describe("OmniServer with an instance principal (mocks)", () => {
  let run: Awaited<ReturnType<typeof recordResources>>;
  const statements = ["Allow dynamic-group homelab-vm to inspect instances in tenancy"];
  beforeAll(async () => {
    run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, () => {
      const provider = new oci.Provider("oci", {});
      new OmniServer("omni", { stack: "cloud", provider, oci: ociConfig, omni: omniConfig, sshPublicKey: values.sshPublicKey, sshPrivateKey: "plain-key", instancePrincipal: { dynamicGroup: "homelab-vm", statements } });
    });
  });

  it("puts the VM alone in a dynamic group of the tenancy and grants that group the given statements there", () => {
    const [group] = run.resources.filter((r) => r.type === "oci:Identity/dynamicGroup:DynamicGroup");
    expect(group.inputs).toMatchObject({ compartmentId: ociConfig.tenancyOcid, name: "homelab-vm" });
    expect(group.inputs.matchingRule).toMatch(/^ALL \{instance\.id = '[^']+'\}$/);
    const [policy] = run.resources.filter((r) => r.type === "oci:Identity/policy:Policy");
    expect(policy.inputs).toMatchObject({ compartmentId: ociConfig.tenancyOcid, name: "homelab-vm-reads", statements });
  });

  it("creates no IAM without one", async () => {
    const plain = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, () => {
      new OmniServer("omni", { stack: "cloud", provider: new oci.Provider("oci", {}), oci: ociConfig, omni: omniConfig, sshPublicKey: values.sshPublicKey, sshPrivateKey: "plain-key" });
    });
    expect(plain.resources.filter((r) => r.type.startsWith("oci:Identity/"))).toEqual([]);
    expect(run.resources.filter((r) => r.type.startsWith("oci:Identity/"))).toHaveLength(2);
  });
});
