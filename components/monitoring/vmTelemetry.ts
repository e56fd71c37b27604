// The management VM's share of the telemetry (FR-020): its own metrics
// (node exporter, every container's memory and CPU through cAdvisor, Omni's
// metrics) and every container's logs (Authentik's sign-in events among
// them), sent by an Alloy in its compose project to prod's telemetry
// address. The VM reaches that address the way the cloud nodes do, through
// Twingate, with a Twingate client of its own in the same project and a
// service key of its own (the nodes' key stays on the nodes). Pure: OmniServer
// runs the workload, the tests and verify read the configuration.
import { createHash } from "crypto";
import { images } from "../../config/versions";
import type { VmWorkload } from "../omni/managementVm";
import { shellQuote } from "../shell";
import { managementVm } from "./metrics";
import { ociUsageScript, ociUsageScriptFile, ociUsageService, textfileDir } from "./ociUsage";
import { block, riverMap, riverString, telemetryPaths, telemetryPorts } from "./telemetry";

/** The .env variable that carries the VM's Twingate service key (base64: the key is a JSON document, .env takes one plain line). */
export const twingateKeyEnv = "TWINGATE_SERVICE_KEY_B64";
/** Where, under the project directory, the key is written for the client (0400, in a 0700 folder). */
export const twingateKeyFile = "twingate/service_key.json";
export const vmAlloyConfigFile = "monitoring/config.alloy";
/** Omni's metrics endpoint (its default, 0.0.0.0:2122); Alloy shares the VM's network. */
export const omniMetricsAddress = "127.0.0.1:2122";
/** What the VM keeps of cAdvisor: each container's memory and CPU, and when it was last seen. */
export const keptContainerMetrics = ["container_memory_working_set_bytes", "container_cpu_usage_seconds_total", "container_last_seen"] as const;

const dockerHost = "unix:///var/run/docker.sock";
const setLabel = (target: string, value: string) => block("rule", [`target_label = ${riverString(target)}`, `replacement  = ${riverString(value)}`]);

/** Alloy's configuration on the management VM: everything goes to prod, labelled host="management-vm", stack="cloud". */
export function vmAlloyConfig(address: string): string {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new Error(`vmAlloyConfig: telemetry address ${JSON.stringify(address)}: expected an IPv4 address`);
  const external = `external_labels = ${riverMap({ host: managementVm.host, stack: "cloud" })}`;
  const metricsOut = "prometheus.remote_write.prod.receiver";
  const lines = [
    ...block('loki.write "prod"', [...block("endpoint", [`url = ${riverString(`http://${address}:${telemetryPorts.logs}${telemetryPaths.logs}`)}`]), external]),
    // Every container of the compose project, by its name (authentik-server, omni, ...) and its compose service.
    ...block('discovery.docker "containers"', [`host = ${riverString(dockerHost)}`]),
    ...block('discovery.relabel "containers"', [
      "targets = []",
      ...block("rule", ['source_labels = ["__meta_docker_container_name"]', 'regex         = "/(.*)"', 'target_label  = "container"']),
      ...block("rule", ['source_labels = ["__meta_docker_container_label_com_docker_compose_service"]', 'target_label  = "service"']),
    ]),
    ...block('loki.source.docker "containers"', [
      `host          = ${riverString(dockerHost)}`,
      "targets       = discovery.docker.containers.targets",
      "relabel_rules = discovery.relabel.containers.rules",
      "forward_to    = [loki.write.prod.receiver]",
    ]),
    ...block('prometheus.remote_write "prod"', [...block("endpoint", [`url = ${riverString(`http://${address}:${telemetryPorts.metrics}${telemetryPaths.metrics}`)}`]), external]),
    // The VM itself, through the host's /proc, /sys and / mounted read-only.
    // Its textfile folder holds what the VM's jobs measure (the Always Free usage).
    ...block('prometheus.exporter.unix "vm"', ['procfs_path = "/host/proc"', 'sysfs_path  = "/host/sys"', 'rootfs_path = "/host/root"', ...block("textfile", ['directory = "/textfile"'])]),
    ...block('discovery.relabel "vm"', ["targets = prometheus.exporter.unix.vm.targets", ...setLabel("job", managementVm.job), ...setLabel("instance", managementVm.host)]),
    ...block('prometheus.scrape "vm"', ["targets    = discovery.relabel.vm.output", `forward_to = [${metricsOut}]`]),
    ...block('prometheus.exporter.cadvisor "containers"', [`docker_host      = ${riverString(dockerHost)}`, "docker_only      = true", 'storage_duration = "2m"']),
    ...block('discovery.relabel "cadvisor"', ["targets = prometheus.exporter.cadvisor.containers.targets", ...setLabel("job", managementVm.containersJob), ...setLabel("instance", managementVm.host)]),
    ...block('prometheus.scrape "containers"', ["targets    = discovery.relabel.cadvisor.output", "forward_to = [prometheus.relabel.containers.receiver]"]),
    ...block('prometheus.relabel "containers"', [
      `forward_to = [${metricsOut}]`,
      ...block("rule", ['source_labels = ["__name__"]', `regex         = ${riverString(keptContainerMetrics.join("|"))}`, 'action        = "keep"']),
    ]),
    ...block('prometheus.scrape "omni"', [
      `targets    = [{ "__address__" = ${riverString(omniMetricsAddress)}, "instance" = ${riverString(managementVm.host)} }]`,
      `job_name   = ${riverString(managementVm.omniJob)}`,
      `forward_to = [${metricsOut}]`,
    ]),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Installs the VM's Twingate key from .env (where it arrived on stdin) into
 * its file. A new key (rotation) replaces the file and removes the client's
 * container, which the deploy's final `up` recreates with it; an unchanged
 * key touches nothing. A missing key stops the deploy.
 */
export function twingateKeyStep(): string {
  const file = shellQuote(twingateKeyFile);
  const next = shellQuote(`${twingateKeyFile}.new`);
  return [
    `sudo install -d -m 0700 ${shellQuote(twingateKeyFile.split("/")[0])}`,
    `sudo sed -n ${shellQuote(`s/^${twingateKeyEnv}=//p`)} .env | base64 -d | sudo tee ${next} >/dev/null`,
    `sudo test -s ${next} || { echo "${twingateKeyEnv} is missing from .env: the management VM has no Twingate key" >&2; exit 1; }`,
    `if sudo cmp -s ${next} ${file}; then sudo rm -f ${next}; else sudo chmod 0400 ${next} && sudo mv -f ${next} ${file} && sudo docker compose rm -sf twingate-client; fi`,
  ].join("\n");
}

/** The compose services: Twingate's client (the route to prod), Alloy and the Always Free usage job, all on the VM's own network. */
export function vmTelemetryWorkload(args: { address: string; twingateClientImage: string }): VmWorkload {
  const config = vmAlloyConfig(args.address);
  return {
    services: {
      "twingate-client": {
        image: args.twingateClientImage,
        container_name: "twingate-client",
        restart: "unless-stopped",
        // The client routes the telemetry address through its TUN interface in the VM's own namespace.
        network_mode: "host",
        cap_add: ["NET_ADMIN"],
        devices: ["/dev/net/tun"],
        volumes: [`./${twingateKeyFile}:/etc/twingate/service_key.json:ro`],
        deploy: { resources: { limits: { memory: "256m" } } },
      },
      alloy: {
        image: images.alloy,
        container_name: "alloy",
        restart: "unless-stopped",
        network_mode: "host",
        pid: "host",
        // cAdvisor reads every container's cgroups and Docker's state: Alloy's documented way to run it in a container.
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
        labels: { "homelab.io/config-sha256": createHash("sha256").update(config).digest("hex") },
        deploy: { resources: { limits: { memory: "512m" } } },
      },
      "oci-usage": ociUsageService(images.ociCli),
    },
    volumes: { "alloy-data": {} },
    envNames: [twingateKeyEnv],
    files: [
      { path: vmAlloyConfigFile, content: config, what: "the management VM's Alloy configuration" },
      { path: ociUsageScriptFile, content: ociUsageScript(), what: "the Always Free usage job" },
    ],
    steps: [twingateKeyStep(), `sudo install -d -m 0755 ${shellQuote(textfileDir)}`],
  };
}
