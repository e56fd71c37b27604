// The management VM's telemetry: what its Alloy sends and how it is
// labelled, the compose services, and the step that installs the VM's
// Twingate key, run for real in a sandbox (sudo and docker stand-ins) through
// a first install, a re-run, a rotation and a missing key.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { composeProject } from "../../components/omni/managementVm";
import { managementVm } from "../../components/monitoring/metrics";
import { keptContainerMetrics, twingateKeyEnv, twingateKeyFile, twingateKeyStep, vmAlloyConfig, vmAlloyConfigFile, vmTelemetryWorkload } from "../../components/monitoring/vmTelemetry";
import { ociUsageScriptFile, textfileDir } from "../../components/monitoring/ociUsage";
import { images } from "../../config/versions";

const address = "192.168.71.242";
const twingateClientImage = `docker.io/twingate/client:latest@sha256:${"a".repeat(64)}`;

describe("the management VM's Alloy configuration", () => {
  it("sends logs and metrics to prod's telemetry address, labelled as the management VM of the cloud", () => {
    const config = vmAlloyConfig(address);
    expect(config).toContain(`url = "http://${address}:3100/loki/api/v1/push"`);
    expect(config).toContain(`url = "http://${address}:9090/api/v1/metrics/write"`);
    expect(config.match(/external_labels = \{ "host" = "management-vm", "stack" = "cloud" \}/g)).toHaveLength(2);
  });

  it("scrapes the VM (its textfile folder too), its containers and Omni under the jobs the alerts and dashboards read", () => {
    const config = vmAlloyConfig(address);
    expect(config).toContain(`replacement  = "${managementVm.job}"`);
    expect(config).toContain(`replacement  = "${managementVm.containersJob}"`);
    expect(config).toContain(`job_name   = "${managementVm.omniJob}"`);
    expect(config).toContain('"__address__" = "127.0.0.1:2122"');
    expect(config).toMatch(/textfile \{\n\s+directory = "\/textfile"\n\s+\}/);
    expect(config).toContain(`regex         = "${keptContainerMetrics.join("|")}"`);
    // Every container's log, named after its container (the log rules select container="authentik-server").
    expect(config).toMatch(/source_labels = \["__meta_docker_container_name"\]\n\s+regex\s+= "\/\(\.\*\)"\n\s+target_label\s+= "container"/);
    expect(config).toContain("relabel_rules = discovery.relabel.containers.rules");
  });

  it("is exactly the reviewed configuration (test/fixtures/expected/management-vm.alloy; Alloy's parser reads it in verify)", () => {
    expect(vmAlloyConfig(address)).toBe(fs.readFileSync(path.join(__dirname, "../fixtures/expected/management-vm.alloy"), "utf8"));
  });

  it("refuses an address that is not IPv4, naming it", () => {
    expect(() => vmAlloyConfig('10.0.0.1" }\nx = {')).toThrow(/telemetry address .*expected an IPv4 address/);
    expect(() => vmAlloyConfig("prod.lan")).toThrow(/"prod.lan": expected an IPv4 address/);
  });
});

describe("the management VM's telemetry services", () => {
  it("runs Twingate's client and Alloy on the VM's network, and the usage job; the key is a variable, never a file of the deploy", () => {
    const w = vmTelemetryWorkload({ address, twingateClientImage });
    expect(Object.keys(w.services).sort()).toEqual(["alloy", "oci-usage", "twingate-client"]);
    expect(w.services["twingate-client"]).toEqual({
      image: twingateClientImage,
      container_name: "twingate-client",
      restart: "unless-stopped",
      network_mode: "host",
      cap_add: ["NET_ADMIN"],
      devices: ["/dev/net/tun"],
      volumes: [`./${twingateKeyFile}:/etc/twingate/service_key.json:ro`],
      deploy: { resources: { limits: { memory: "256m" } } },
    });
    const { labels, ...alloy } = w.services.alloy as Record<string, unknown>;
    expect(Object.keys(labels as object)).toEqual(["homelab.io/config-sha256"]);
    expect(alloy).toEqual({
      image: images.alloy,
      container_name: "alloy",
      restart: "unless-stopped",
      network_mode: "host",
      pid: "host",
      privileged: true,
      command: ["run", "--server.http.listen-addr=127.0.0.1:12345", "--storage.path=/var/lib/alloy/data", "/etc/alloy/config.alloy"],
      volumes: [
        `./${vmAlloyConfigFile}:/etc/alloy/config.alloy:ro`,
        `./${textfileDir}:/textfile:ro`,
        "alloy-data:/var/lib/alloy/data",
        "/proc:/host/proc:ro",
        "/sys:/host/sys:ro",
        "/:/host/root:ro,rslave",
        "/sys:/sys:ro",
        "/var/lib/docker:/var/lib/docker:ro",
        "/dev/disk:/dev/disk:ro",
        "/var/run/docker.sock:/var/run/docker.sock",
      ],
      deploy: { resources: { limits: { memory: "512m" } } },
    });
    expect(w.volumes).toEqual({ "alloy-data": {} });
    expect(w.steps[1]).toBe(`sudo install -d -m 0755 '${textfileDir}'`);
    expect(w.envNames).toEqual([twingateKeyEnv]);
    expect(w.files.map((f) => f.path)).toEqual([vmAlloyConfigFile, ociUsageScriptFile]);
    expect(JSON.stringify(w.files)).not.toContain("service_key");
  });

  it("recreates Alloy when its configuration changes (the hash is a label), and keeps its state in a named volume", () => {
    const a = vmTelemetryWorkload({ address, twingateClientImage });
    const b = vmTelemetryWorkload({ address: "192.168.71.243", twingateClientImage });
    const label = (w: typeof a) => (w.services.alloy as { labels: Record<string, string> }).labels["homelab.io/config-sha256"];
    expect(label(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(label(a)).not.toBe(label(b));
    const project = composeProject({
      accountId: "a",
      accountName: "homelab",
      hostname: "omni.example.org",
      publicIp: "198.51.100.7",
      initialUsers: ["admin@example.org"],
      ports: { api: 443, sideroLinkWireguard: 50180, machineApi: 8090, kubernetesProxy: 8100 },
      egressProxy: { listenIp: "10.0.1.10", allowedCidrs: ["10.0.1.0/24"], port: 3128 },
      workloads: [a],
    }) as { volumes: Record<string, unknown> };
    expect(Object.keys(project.volumes).sort()).toEqual(["alloy-data", "postgres-data"]);
  });
});

describe("the Twingate key step (run in a sandbox)", () => {
  function sandbox() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vm-key-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "sudo"), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "docker"), `#!/bin/sh\necho "$*" >> ${JSON.stringify(path.join(dir, "docker.log"))}\n`, { mode: 0o755 });
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    const run = (env: string) => {
      fs.writeFileSync(path.join(project, ".env"), env);
      return spawnSync("sh", ["-c", `set -eu\n${twingateKeyStep()}`], { cwd: project, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    };
    const dockerCalls = () => (fs.existsSync(path.join(dir, "docker.log")) ? fs.readFileSync(path.join(dir, "docker.log"), "utf8").trim().split("\n") : []);
    return { dir, project, run, dockerCalls };
  }
  // A key as Twingate's provider returns it: JSON over several lines, with characters .env and the shell care about.
  const key = (n: number) => `{\n  "version": "1",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIG$${n}'\\"x=\\n-----END PRIVATE KEY-----",\n  "key_id": "k${n}"\n}`;
  const envWith = (k: string) => `POSTGRES_PASSWORD=p\n${twingateKeyEnv}=${Buffer.from(k).toString("base64")}\nOTHER=x\n`;

  it("writes the key from .env into a file only root reads, and leaves it alone when unchanged", () => {
    const s = sandbox();
    const first = s.run(envWith(key(1)));
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const file = path.join(s.project, twingateKeyFile);
    expect(fs.readFileSync(file, "utf8")).toBe(key(1));
    expect(fs.statSync(file).mode & 0o777).toBe(0o400);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    // The first install removes a client that does not exist yet: compose's rm -sf is a no-op then.
    expect(s.dockerCalls()).toEqual(["compose rm -sf twingate-client"]);
    expect(s.run(envWith(key(1))).status).toBe(0);
    expect(s.dockerCalls()).toHaveLength(1);
    expect(fs.existsSync(`${file}.new`)).toBe(false);
    fs.rmSync(s.dir, { recursive: true, force: true });
  });

  it("replaces the key and the client's container when the key is rotated", () => {
    const s = sandbox();
    expect(s.run(envWith(key(1))).status).toBe(0);
    expect(s.run(envWith(key(2))).status).toBe(0);
    expect(fs.readFileSync(path.join(s.project, twingateKeyFile), "utf8")).toBe(key(2));
    expect(s.dockerCalls()).toEqual(["compose rm -sf twingate-client", "compose rm -sf twingate-client"]);
    fs.rmSync(s.dir, { recursive: true, force: true });
  });

  it("stops the deploy, saying why, when .env holds no key", () => {
    const s = sandbox();
    const r = s.run("POSTGRES_PASSWORD=p\n");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${twingateKeyEnv} is missing from .env`);
    expect(s.dockerCalls()).toEqual([]);
    fs.rmSync(s.dir, { recursive: true, force: true });
  });
});
