// The IPv4 helpers every address rule rests on, case by case at their edges.
import { addressAt, cidrContains, cidrSize, cidrWithin, cidrsOverlap, ipToInt, isCidr, isHostAddress, isIpv4, isPrivateCidr, parseCidr, reservedRangeOf } from "../../config/net";

describe("isIpv4", () => {
  test.each(["0.0.0.0", "9.9.9.9", "10.0.0.1", "99.99.99.99", "100.199.200.249", "250.251.252.255", "255.255.255.255"])("%s is an address", (ip) => expect(isIpv4(ip)).toBe(true));
  test.each(["256.1.1.1", "1.256.1.1", "1.1.1.256", "260.1.1.1", "1.1.1.300", "01.1.1.1", "1.1.1.01", "1.1.1", "1.1.1.1.1", "a.1.1.1", "1.1.1.a", " 1.1.1.1", "1.1.1.1 ", "x1.1.1.1", "1.1.1.1x", ""])(
    "%s is not",
    (ip) => expect(isIpv4(ip)).toBe(false),
  );
});

describe("isCidr", () => {
  test.each(["10.0.0.0/8", "0.0.0.0/0", "192.168.1.7/32", "172.16.0.0/12"])("%s is a CIDR", (c) => expect(isCidr(c)).toBe(true));
  test.each(["10.0.0.0", "10.0.0.0/33", "10.0.0.0/100", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8x", "10.0.0.0/x8", "x10.0.0.0/8", "300.0.0.0/8", "10.0.0.0/ 8"])(
    "%s is not",
    (c) => expect(isCidr(c)).toBe(false),
  );
});

describe("arithmetic", () => {
  test("addresses as integers, CIDRs as base, prefix and size", () => {
    expect(ipToInt("0.0.0.0")).toBe(0);
    expect(ipToInt("1.2.3.4")).toBe(16909060);
    expect(ipToInt("255.255.255.255")).toBe(4294967295);
    // The base is the network's first address even when the CIDR names a host inside it.
    expect(parseCidr("192.168.1.77/24")).toEqual({ base: ipToInt("192.168.1.0"), bits: 24, size: 256 });
    expect(parseCidr("10.0.0.0/8")).toEqual({ base: ipToInt("10.0.0.0"), bits: 8, size: 16777216 });
    expect(cidrSize("10.0.1.0/28")).toBe(16);
    expect(cidrSize("10.0.1.5/32")).toBe(1);
  });

  test("containment counts the first and last address and nothing past them", () => {
    expect(cidrContains("192.168.1.0/24", "192.168.1.0")).toBe(true);
    expect(cidrContains("192.168.1.0/24", "192.168.1.255")).toBe(true);
    expect(cidrContains("192.168.1.0/24", "192.168.0.255")).toBe(false);
    expect(cidrContains("192.168.1.0/24", "192.168.2.0")).toBe(false);
  });

  test("a CIDR within another: same or longer prefix, both ends inside", () => {
    expect(cidrWithin("10.0.0.0/16", "10.0.0.0/16")).toBe(true);
    expect(cidrWithin("10.0.0.0/16", "10.0.255.0/24")).toBe(true);
    expect(cidrWithin("10.0.0.0/16", "10.1.0.0/24")).toBe(false);
    expect(cidrWithin("10.0.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(cidrWithin("10.0.0.0/24", "9.255.255.0/24")).toBe(false);
    expect(cidrsOverlap("10.0.0.0/8", "10.2.0.0/16")).toBe(true);
    expect(cidrsOverlap("10.2.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(cidrsOverlap("10.0.0.0/24", "10.0.1.0/24")).toBe(false);
  });

  test("host addresses leave out the network and broadcast addresses, except in /31 and /32", () => {
    expect(isHostAddress("192.168.1.0/24", "192.168.1.0")).toBe(false);
    expect(isHostAddress("192.168.1.0/24", "192.168.1.255")).toBe(false);
    expect(isHostAddress("192.168.1.0/24", "192.168.1.1")).toBe(true);
    expect(isHostAddress("192.168.1.0/24", "192.168.1.254")).toBe(true);
    expect(isHostAddress("10.0.0.4/31", "10.0.0.4")).toBe(true);
    expect(isHostAddress("10.0.0.5/31", "10.0.0.5")).toBe(true);
    expect(isHostAddress("10.0.0.5/32", "10.0.0.5")).toBe(true);
    expect(isHostAddress("10.0.0.4/30", "10.0.0.4")).toBe(false);
    expect(isHostAddress("10.0.0.4/30", "10.0.0.7")).toBe(false);
  });

  test("the address at an offset, negative offsets counting back from the end", () => {
    expect(addressAt("10.0.1.0/24", 0)).toBe("10.0.1.0");
    expect(addressAt("10.0.1.0/24", 1)).toBe("10.0.1.1");
    expect(addressAt("10.0.1.0/24", 10)).toBe("10.0.1.10");
    expect(addressAt("10.0.1.0/24", -1)).toBe("10.0.1.255");
    expect(addressAt("10.0.1.0/24", -2)).toBe("10.0.1.254");
    expect(addressAt("172.16.0.0/12", -1)).toBe("172.31.255.255");
  });

  test("private and reserved ranges", () => {
    expect(isPrivateCidr("192.168.68.0/22")).toBe(true);
    expect(isPrivateCidr("172.32.0.0/16")).toBe(false);
    expect(isPrivateCidr("10.0.0.0/7")).toBe(false);
    expect(reservedRangeOf("127.0.0.1")).toBe("127.0.0.0/8");
    expect(reservedRangeOf("169.254.10.0/24")).toBe("169.254.0.0/16");
    // A CIDR that contains a reserved range overlaps it too.
    expect(reservedRangeOf("224.0.0.0/3")).toBe("224.0.0.0/4");
    expect(reservedRangeOf("8.8.8.8")).toBeUndefined();
  });
});
