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
