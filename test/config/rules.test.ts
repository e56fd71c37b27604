// Every text rule of the schema, read at a real key of a committed stack:
// the committed value passes; the same value with something before it, or
// after it, fails (a pattern anchored at one end only would let those
// through); a value of the wrong type fails with the same words.
import { StackKind } from "../../config/schema";
import { Values, committedRaw, configProblems } from "../helpers";

interface Rule {
  stack: StackKind;
  /** Key path as the messages print it, e.g. cluster.nodes[0].machineUuid. */
  key: string;
  expected: string;
  /** The words for a value of the wrong type, where they differ. */
  typeExpected?: string;
  /** Rules that accept any suffix or prefix (e.g. a path) say which sides are checked. */
  sides?: ("before" | "after")[];
}

const rules: Rule[] = [
  { stack: "dev", key: "cluster.name", expected: "a lowercase name (a-z, 0-9, '-')" },
  { stack: "prod", key: "proxmox.endpoint", expected: "an https:// URL" },
  { stack: "prod", key: "proxmox.address", expected: "an IPv4 address like 192.168.68.51" },
  { stack: "prod", key: "hypervisor.network.cidr", expected: "an IPv4 CIDR like 10.0.1.0/24" },
  { stack: "prod", key: "services.domain", expected: "a DNS name like homelab.example" },
  { stack: "cloud", key: "oci.compartmentOcid", expected: "an OCI compartment OCID (ocid1.compartment.oc1...)" },
  { stack: "cloud", key: "cluster.versions.kubernetes", expected: "a Kubernetes version as MAJOR.MINOR.PATCH, e.g. 1.11.5" },
  { stack: "prod", key: "cluster.nodes[0].machineUuid", expected: "a lowercase UUID like 3f6c1f0e-8a4b-4c55-9d2e-0b7a5c1d2e3f", typeExpected: "a UUID like 3f6c1f0e-8a4b-4c55-9d2e-0b7a5c1d2e3f" },
  { stack: "prod", key: "cluster.network.bridge", expected: "a Linux bridge name like vmbr0" },
  { stack: "prod", key: "hypervisor.network.bridge", expected: "a Linux bridge name like vmbr0" },
  { stack: "prod", key: "hypervisor.network.port", expected: "the physical NIC name, e.g. enp1s0" },
  { stack: "prod", key: "hypervisor.gpu.pciAddress", expected: "a PCI address like 0000:01:00.0" },
  { stack: "prod", key: "hypervisor.gpu.vendorDeviceIds[0]", expected: "a vendor:device id like 10de:2684" },
  { stack: "prod", key: "hypervisor.zfs.disks[0]", expected: "a stable /dev/disk/by-id/ path", typeExpected: "a /dev/disk/by-id/ path", sides: ["before"] },
  { stack: "cloud", key: "oci.region", expected: "an OCI region like eu-paris-1" },
  { stack: "cloud", key: "oci.fingerprint", expected: "the API key fingerprint (16 hex pairs separated by ':')", typeExpected: "the API key fingerprint (16 hex pairs)" },
  { stack: "cloud", key: "oci.availabilityDomain", expected: "an availability domain like Abcd:EU-PARIS-1-AD-1" },
  { stack: "prod", key: "platform.lanLoadBalancer.services[0]", expected: "a Service as namespace/name, e.g. adguard/adguard-dns", typeExpected: "a Service as namespace/name" },
  { stack: "dev", key: "omni.cloudStack", expected: "a stack reference like organization/homelab/cloud" },
  { stack: "cloud", key: "platform.storage.nfs.server", expected: "an IPv4 address or DNS name" },
  { stack: "prod", key: "platform.storage.nfs.path", expected: "an absolute path like /tank/media", sides: ["before"] },
  { stack: "prod", key: "services.timezone", expected: "an IANA time zone like Europe/Paris" },
  { stack: "cloud", key: "sshPublicKey", expected: "an OpenSSH public key (ssh-ed25519 AAAA...)", sides: ["before"] },
  { stack: "prod", key: "cluster.nodes[0].ip", expected: "an IPv4 address like 192.168.68.51" },
];

const parts = (key: string) => key.split(/[.[\]]/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));

function at(values: Values, key: string): { get(): unknown; set(v: unknown): void } {
  const path = parts(key);
  const parent = () => path.slice(0, -1).reduce<Values>((node, p) => node[p], values);
  return { get: () => parent()[path[path.length - 1]], set: (v) => (parent()[path[path.length - 1]] = v) };
}

const problems = (stack: StackKind, key: string, value: unknown): string[] => configProblems(stack, (v) => at(v, key).set(value));

describe.each(rules.map((r) => [`${r.stack} ${r.key}`, r] as const))("%s", (_, r) => {
  const committed = () => at(committedRaw(r.stack).values, r.key).get() as string;
  // Values are shown as the loader shows them: JSON, cut to 80 characters.
  const shown = (value: unknown) => {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  const line = (value: unknown, expected = r.expected) => `homelab:${r.key} = ${shown(value)}: expected ${expected}`;

  test("the committed value passes", () => {
    expect(typeof committed()).toBe("string");
    expect(problems(r.stack, r.key, committed()).filter((p) => p.startsWith(`homelab:${r.key} `))).toEqual([]);
  });

  test.each((r.sides ?? ["before", "after"]).map((side) => [side]))("junk %s it fails", (side) => {
    // "!" is in no rule's alphabet: only an anchor keeps it out.
    const value = side === "before" ? `!${committed()}` : `${committed()}!`;
    expect(problems(r.stack, r.key, value)).toContain(line(value));
  });

  test("a number there fails with the same words", () => {
    expect(problems(r.stack, r.key, 42)).toContain(line(42, r.typeExpected ?? r.expected));
  });
});
