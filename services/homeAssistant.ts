// Home Assistant (FR-017): the house's lights, heating and devices, on the
// LAN with its own accounts. It runs on the worker's host network, so it is
// reached at the worker's address, port 8123.
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";

const port = 8123;
// Managed here, copied over the volume's copy at every start; YAML of their own goes in /config/packages.
// trusted_proxies: the pod network, where Cilium's Gateway proxy takes its per-node address; only a routed
// request (none yet: LAN only) carries X-Forwarded-For.
const configuration = (podNetwork: string) => `# Written by the homelab program (services/homeAssistant.ts) at every start: edit it there.
default_config:

homeassistant:
  packages: !include_dir_named packages

http:
  server_port: ${port}
  use_x_forwarded_for: true
  trusted_proxies:
    - ${podNetwork}

automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
`;

// The UI editors' files must exist before the !include lines load them.
const prepareScript = [
  "set -eu",
  "cp /defaults/configuration.yaml /config/configuration.yaml",
  "mkdir -p /config/packages",
  '[ -f /config/automations.yaml ] || echo "[]" > /config/automations.yaml',
  '[ -f /config/scenes.yaml ] || echo "[]" > /config/scenes.yaml',
  "[ -f /config/scripts.yaml ] || : > /config/scripts.yaml",
].join("\n");

export const homeAssistant: ServiceEntry = {
  name: "home-assistant",
  home: "prod",
  dev: { skip: "host network on the LAN: a second copy would discover, and could take over, the same devices" },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("100m", "512Mi", "2000m", "1536Mi") } },
  auth: "native",
  // A stable LAN address (the node it runs on may change), in the config's allow-list.
  exposure: { kind: "lan", service: "home-assistant-web", controller: "server", ports: [{ name: "http", port, protocol: "TCP" }] },
  volumes: [{ kind: "data", name: "config", sizeGi: 5, mountPath: "/config" }],
  backup: "critical",
  health: { path: "/", port },
  dashboard: { group: "Home", title: "Home", icon: "di:home-assistant", description: "Home Assistant: the house's lights, heating and devices" },
  secrets: [],
  // Said for the record: a host-network pod is no Cilium endpoint, so the namespace's policy does not hold it.
  egress: [{ why: "integrations' cloud services and device databases", to: "world", ports: [443] }],
  // mDNS/Zeroconf and SSDP discovery (and HomeKit, Cast answers) need the LAN's multicast, which the pod
  // network does not carry: hostNetwork, which baseline forbids. The container stays unprivileged unless
  // the config passes USB radios through (services.homeAssistant.usbDevices): then it is, for their device nodes.
  podSecurity: { level: "privileged", why: "hostNetwork for mDNS/SSDP device discovery on the LAN" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(homeAssistant, ctx, {
      // The home-operations build runs rootless as 1000, which owns the volume: the container stays restricted.
      containers: { server: { image: serviceImages.homeAssistant } },
      initSteps: { configuration: { command: ["/bin/sh", "-c", prepareScript], resources: resources("10m", "16Mi", "100m", "64Mi") } },
      configMaps: { defaults: { path: "/defaults", files: { "configuration.yaml": configuration(ctx.podSubnet) } } },
      hostNetwork: "mDNS/SSDP device discovery needs the LAN's multicast",
      // Zigbee and Z-Wave sticks the config passes through (the Proxmox host gives them to the workload node's VM).
      devices: (ctx.settings.homeAssistant?.usbDevices ?? []).map((d) => ({ path: d.path, group: d.group })),
    }),
};
