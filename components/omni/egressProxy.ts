// The static-IP egress proxy: Squid on the management VM, the one machine
// that holds the reserved public IP. Services whose upstream only accepts a
// stable source address (Real-Debrid for Comet) send their outgoing HTTP(S)
// through it; the cluster nodes keep their ephemeral public IPs. It listens on
// the VM's private address only and answers the cluster's subnet only: the
// security list never opens its port to the internet either.
import { createHash } from "node:crypto";

/** Squid's customary port. */
export const egressProxyPort = 3128;

export interface EgressProxyArgs {
  /** The management VM's private address (where the reserved public IP is attached). */
  listenIp: string;
  /** Who may use it: the cluster nodes' subnet (pods leave their node masqueraded to its address). */
  allowedCidrs: string[];
  port: number;
}

/** Where the compose project keeps the configuration, relative to its directory. */
export const squidConfPath = "egress-proxy/squid.conf";

/**
 * A forward proxy and nothing else: no cache, no client headers added (Via,
 * X-Forwarded-For), tunnels (CONNECT) to 443 only, plain HTTP to 80 and 443.
 * Directives common to Squid 5 and 6 (`npm run verify` runs Debian's Squid on it).
 */
export function squidConf(a: EgressProxyArgs): string {
  if (a.allowedCidrs.length === 0) throw new Error("egress proxy: allowedCidrs is empty; expected the cluster subnet's CIDR");
  return [
    "# Rendered by the homelab program (components/omni/egressProxy.ts); edits are overwritten on deploy.",
    `http_port ${a.listenIp}:${a.port}`,
    `acl cluster src ${a.allowedCidrs.join(" ")}`,
    "acl tls_port port 443",
    "acl web_ports port 80 443",
    "acl CONNECT method CONNECT",
    "http_access deny !cluster",
    "http_access deny CONNECT !tls_port",
    "http_access deny !web_ports",
    "http_access allow cluster",
    "http_access deny all",
    "cache deny all",
    "via off",
    "forwarded_for delete",
    // Logs stay in the container's /var/log/squid (docker exec egress-proxy tail ...): who asked for what.
    "logfile_rotate 0",
    "pid_filename none",
    "coredump_dir /tmp",
    "",
  ].join("\n");
}

/** The compose service; the configuration's hash is a label, so a changed file recreates the container. */
export function egressProxyService(image: string, conf: string): Record<string, unknown> {
  return {
    image,
    container_name: "egress-proxy",
    restart: "unless-stopped",
    // On the VM's own addresses: outgoing connections leave from its private IP, NATed to the reserved one.
    network_mode: "host",
    volumes: [`./${squidConfPath}:/etc/squid/squid.conf:ro`],
    labels: { "homelab.io/config-sha256": createHash("sha256").update(conf).digest("hex") },
    deploy: { resources: { limits: { memory: "256m" } } },
  };
}

/** The URL a service's HTTP client is given. */
export const egressProxyUrl = (host: string, port: number): string => `http://${host}:${port}`;
