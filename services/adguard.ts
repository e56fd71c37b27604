// AdGuard Home (FR-016): the family's DNS, ads and trackers blocked, on a
// fixed LAN address (the one the router hands out); upstreams over DoH.
// Encrypted DNS for the LAN: DNS over TLS on 853 and DNS over HTTPS on 443
// (https://dns.<domain>/dns-query), with a Let's Encrypt certificate for
// dns.<domain> that cert-manager issues by DNS01 (the name is never public)
// and AdGuard reloads when renewed. AdGuard answers dns.<domain> itself with
// its LAN address, so phones' "private DNS" setting finds it.
// Its web UI is for admins: no route through the tunnel; on the LAN the HTTPS
// port serves it beside DoH, behind AdGuard's own admin login.
import { stringify } from "yaml";
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceContext, ServiceEntry } from "./entry";

const workDir = "/opt/adguardhome/work";
const webPort = 3000;
const hashPlaceholder = "@ADMIN_PASSWORD_HASH@";
const dotPort = 853;
const httpsPort = 443;

/** Schema 34 (v0.107.79). Keys left out keep AdGuard's defaults; it rewrites the file at start, hence a copy, not a mount. */
export const adguardSeedConfig = (ctx: ServiceContext): string =>
  stringify({
  http: { address: `0.0.0.0:${webPort}`, session_ttl: "720h" },
  users: [{ name: "admin", password: hashPlaceholder }],
  dns: {
    bind_hosts: ["0.0.0.0"],
    port: 53,
    upstream_dns: ["https://dns.quad9.net/dns-query", "https://cloudflare-dns.com/dns-query"],
    // The upstreams' names resolved over DoH by address: plain DNS to the internet is not allowed out.
    bootstrap_dns: ["https://9.9.9.9/dns-query", "https://1.1.1.1/dns-query"],
    upstream_mode: "load_balance",
    cache_enabled: true,
    enable_dnssec: true,
    // Reverse lookups of LAN addresses would go to the cluster's DNS, which knows none of them.
    use_private_ptr_resolvers: false,
  },
  tls: {
    enabled: true,
    server_name: ctx.tls?.hostname,
    force_https: false,
    port_https: httpsPort,
    port_dns_over_tls: dotPort,
    // DNS over QUIC would need UDP 853 on the LAN address too: DoT and DoH cover the family's devices.
    port_dns_over_quic: 0,
    port_dnscrypt: 0,
    certificate_path: ctx.tls?.certFile,
    private_key_path: ctx.tls?.keyFile,
  },
  filtering: {
    protection_enabled: true,
    filtering_enabled: true,
    filters_update_interval: 24,
    // The encrypted-DNS name resolves to the LAN address on the LAN (where it is fixed).
    rewrites: ctx.tls && ctx.lanAddress ? [{ domain: ctx.tls.hostname, answer: ctx.lanAddress, enabled: true }] : [],
  },
  filters: [
    { enabled: true, url: "https://adguardteam.github.io/HostlistsRegistry/assets/filter_1.txt", name: "AdGuard DNS filter", id: 1 },
    { enabled: true, url: "https://adguardteam.github.io/HostlistsRegistry/assets/filter_2.txt", name: "AdAway Default Blocklist", id: 2 },
  ],
  querylog: { enabled: true, file_enabled: true, interval: "168h" },
  statistics: { enabled: true, interval: "720h" },
  schema_version: 34,
  });

// Copies the seed only when no config exists yet: later changes made in the UI are kept.
const seedScript = [
  "set -eu",
  `conf=${workDir}/AdGuardHome.yaml`,
  'if [ -f "$conf" ]; then echo "keeping $conf"; exit 0; fi',
  `sed "s|${hashPlaceholder}|$ADGUARD_ADMIN_PASSWORD_HASH|" /seed/AdGuardHome.yaml > "$conf.new"`,
  'mv "$conf.new" "$conf"',
].join("\n");

export const adguard: ServiceEntry = {
  name: "adguard",
  home: "prod",
  dev: { workloads: { dns: { resources: resources("10m", "64Mi", "200m", "192Mi") } } },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["dns"]),
  workloads: { dns: { resources: resources("25m", "128Mi", "500m", "384Mi") } },
  auth: "admin",
  // Plain DNS, DoT and DoH for the LAN, on the LoadBalancer Service the config allows (adguard/adguard-dns).
  exposure: {
    kind: "lan",
    service: "adguard-dns",
    controller: "dns",
    ports: [
      { name: "dns-udp", port: 53, protocol: "UDP" },
      { name: "dns-tcp", port: 53, protocol: "TCP" },
      { name: "dot", port: dotPort, protocol: "TCP" },
      { name: "doh", port: httpsPort, protocol: "TCP" },
    ],
  },
  tls: { subdomain: "dns", why: "DNS over TLS and HTTPS for the LAN, served by AdGuard itself" },
  volumes: [{ kind: "data", name: "data", sizeGi: 1, mountPath: workDir }],
  backup: "local",
  health: { path: "/login.html", port: webPort },
  dashboard: { group: "Tools", title: "DNS", icon: "di:adguard-home", description: "AdGuard Home: the family's DNS, ads and trackers blocked" },
  // A bcrypt hash (the part after `admin:` of htpasswd -B -C 10 -n admin), put into the seeded config once.
  secrets: [{ key: "ADGUARD_ADMIN_PASSWORD_HASH", bitwarden: "adguard-admin-password-hash" }],
  // AdGuard resolves its own lookups (upstreams, filter lists) over DoH, out of sight of Cilium's DNS proxy: names cannot be matched.
  egress: [{ why: "DoH upstreams and filter-list downloads", to: "world", ports: [443] }],
  // Port 53 as an unprivileged user: containerd (2.x, Talos) opens ports below 1024 to every pod.
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(adguard, ctx, {
      containers: { dns: { image: serviceImages.adguardHome, args: ["--no-check-update", "-c", `${workDir}/AdGuardHome.yaml`, "-w", workDir] } },
      initSteps: { seed: { command: ["/bin/sh", "-c", seedScript], resources: resources("10m", "16Mi", "100m", "64Mi") } },
      configMaps: { seed: { path: "/seed", files: { "AdGuardHome.yaml": adguardSeedConfig(ctx) } } },
      // The web UI on the in-cluster Service only: the probe and admins' port-forwards.
      extraPorts: { http: webPort },
    }),
};
