// IPv4 helpers for config validation. Pure, so rules like "an IP outside
// its subnet" are decided the same way in validation, policies and tests.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

export function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split("/");
  if (rest.length > 0 || bits === undefined || !isIpv4(ip)) return false;
  if (!/^\d{1,2}$/.test(bits)) return false;
  const n = Number(bits);
  return n >= 0 && n <= 32;
}

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function parseCidr(cidr: string): { base: number; bits: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const n = Number(bits);
  const size = 2 ** (32 - n);
  const base = ipToInt(ip) - (ipToInt(ip) % size);
  return { base, bits: n, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const value = ipToInt(ip);
  return value >= base && value < base + size;
}

/** True when `inner` lies entirely within `outer`. */
export function cidrWithin(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return i.bits >= o.bits && i.base >= o.base && i.base + i.size <= o.base + o.size;
}

/** Usable host address: not the network or broadcast address of the subnet. */
export function isHostAddress(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const value = ipToInt(ip);
  return size <= 2 || (value !== base && value !== base + size - 1);
}

/** Number of addresses a CIDR covers. */
export const cidrSize = (cidr: string): number => parseCidr(cidr).size;

/** RFC 1918 private ranges: the only ones a home LAN, a VCN or a cluster network may use. */
/**
 * The pod network: Talos' default cluster.network.podSubnets, which the
 * cluster template leaves as it is; Cilium (IPAM mode kubernetes) hands pods
 * addresses from the nodes' slices of it. Apps behind the Gateway trust
 * forwarded headers from it.
 */
export const podSubnet = "10.244.0.0/16";

export const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

export function isPrivateCidr(cidr: string): boolean {
  return privateRanges.some((range) => cidrWithin(range, cidr));
}

/** Ranges no host, gateway or peer can be on: "this network", loopback, link-local, multicast, reserved. */
export const reservedRanges = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"] as const;

export function reservedRangeOf(cidrOrIp: string): string | undefined {
  const cidr = cidrOrIp.includes("/") ? cidrOrIp : `${cidrOrIp}/32`;
  return reservedRanges.find((range) => cidrWithin(range, cidr) || cidrWithin(cidr, range));
}

/** True when the two CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

/** The address `offset` places into a CIDR (negative counts from its end: -1 is the broadcast address). */
export function addressAt(cidr: string, offset: number): string {
  const { base, size } = parseCidr(cidr);
  const n = offset < 0 ? base + size + offset : base + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}
