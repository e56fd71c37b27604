// The Always Free usage job, run for real (python3) against a stand-in of the
// few OCI SDK calls it makes, written from the SDK's signatures: it must add
// up every live A1 instance, volume, boot volume and bucket of every
// compartment, ignore what is terminated or not A1, write the ratios
// atomically, and on failure keep the last file and exit non-zero. Its compose
// loop is run too, with the interpreter found from the `oci` command.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ociAlwaysFree } from "../../contract/policyConfig";
import { homelabMetrics } from "../../components/monitoring/metrics";
import { managementVmDynamicGroup, ociFreeObjectStorageGb, ociUsagePolicyStatements, ociUsageScript, ociUsageService } from "../../components/monitoring/ociUsage";

/** The SDK's surface the job uses, with the SDK's parameter names: a wrong name or a missing argument is a TypeError. */
const fakeSdk = `
import json, os, types

_inv = json.load(open(os.environ["FAKE_OCI_INVENTORY"]))


class _Obj:
    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, _Obj(**v) if isinstance(v, dict) else v)


class _Resp:
    def __init__(self, data):
        self.data = data


def _objs(items):
    return [_Obj(**i) for i in items]


class _Signer:
    def __init__(self):
        if _inv.get("fail"):
            raise RuntimeError(_inv["fail"])
        self.tenancy_id = _inv["tenancy"]


def _client(signer):
    assert isinstance(signer, _Signer), "every client signs as the instance principal"


class IdentityClient:
    def __init__(self, config, signer):
        _client(signer)

    def list_compartments(self, compartment_id, **kwargs):
        assert compartment_id == _inv["tenancy"] and kwargs.get("compartment_id_in_subtree") is True
        return _Resp(_objs([{"id": c} for c in _inv["compartments"] if c != _inv["tenancy"]]))

    def list_availability_domains(self, compartment_id):
        return _Resp(_objs([{"name": d} for d in _inv["domains"]]))


class ComputeClient:
    def __init__(self, config, signer):
        _client(signer)

    def list_instances(self, compartment_id, **kwargs):
        return _Resp(_objs([i for i in _inv["instances"] if i["compartment"] == compartment_id]))


class BlockstorageClient:
    def __init__(self, config, signer):
        _client(signer)

    def list_volumes(self, **kwargs):
        return _Resp(_objs([v for v in _inv["volumes"] if v["compartment"] == kwargs["compartment_id"]]))

    def list_boot_volumes(self, **kwargs):
        return _Resp(_objs([v for v in _inv["boot_volumes"] if v["compartment"] == kwargs["compartment_id"] and v["domain"] == kwargs["availability_domain"]]))


class ObjectStorageClient:
    def __init__(self, config, signer):
        _client(signer)

    def get_namespace(self, **kwargs):
        return _Resp("homelabns")

    def list_buckets(self, namespace_name, compartment_id, **kwargs):
        assert namespace_name == "homelabns"
        return _Resp(_objs([{"name": b["name"]} for b in _inv["buckets"] if b["compartment"] == compartment_id]))

    def get_bucket(self, namespace_name, bucket_name, **kwargs):
        assert kwargs.get("fields") == ["approximateSize"], "the size is only returned when asked for"
        return _Resp(_Obj(approximate_size=next(b["bytes"] for b in _inv["buckets"] if b["name"] == bucket_name)))


def _all(fn, *args, **kwargs):
    return fn(*args, **kwargs)


auth = types.SimpleNamespace(signers=types.SimpleNamespace(InstancePrincipalsSecurityTokenSigner=_Signer))
identity = types.SimpleNamespace(IdentityClient=IdentityClient)
core = types.SimpleNamespace(ComputeClient=ComputeClient, BlockstorageClient=BlockstorageClient)
object_storage = types.SimpleNamespace(ObjectStorageClient=ObjectStorageClient)
pagination = types.SimpleNamespace(list_call_get_all_results=_all)
`;

const a1 = (compartment: string, ocpus: number, memory: number, state = "RUNNING") => ({ compartment, shape: "VM.Standard.A1.Flex", lifecycle_state: state, shape_config: { ocpus, memory_in_gbs: memory } });
const inventory = {
  tenancy: "ocid1.tenancy.oc1..t",
  compartments: ["ocid1.tenancy.oc1..t", "ocid1.compartment.oc1..homelab"],
  domains: ["AD-1", "AD-2"],
  instances: [
    a1("ocid1.compartment.oc1..homelab", 1, 6),
    a1("ocid1.compartment.oc1..homelab", 1.5, 9),
    // An experiment in the root compartment counts too.
    a1("ocid1.tenancy.oc1..t", 1, 6),
    a1("ocid1.compartment.oc1..homelab", 2, 12, "TERMINATED"),
    { compartment: "ocid1.compartment.oc1..homelab", shape: "VM.Standard.E2.1.Micro", lifecycle_state: "RUNNING", shape_config: { ocpus: 1, memory_in_gbs: 1 } },
  ],
  volumes: [
    { compartment: "ocid1.compartment.oc1..homelab", size_in_gbs: 30, lifecycle_state: "AVAILABLE" },
    { compartment: "ocid1.compartment.oc1..homelab", size_in_gbs: 100, lifecycle_state: "TERMINATED" },
  ],
  boot_volumes: [
    { compartment: "ocid1.compartment.oc1..homelab", domain: "AD-1", size_in_gbs: 50, lifecycle_state: "AVAILABLE" },
    { compartment: "ocid1.compartment.oc1..homelab", domain: "AD-2", size_in_gbs: 47, lifecycle_state: "AVAILABLE" },
    { compartment: "ocid1.tenancy.oc1..t", domain: "AD-1", size_in_gbs: 47, lifecycle_state: "TERMINATING" },
  ],
  buckets: [
    { compartment: "ocid1.compartment.oc1..homelab", name: "homelab-backups", bytes: 5e9 },
    { compartment: "ocid1.tenancy.oc1..t", name: "empty", bytes: null },
  ],
};

function sandbox(inv: object): { dir: string; run: (out: string) => ReturnType<typeof spawnSync> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oci-usage-"));
  fs.mkdirSync(path.join(dir, "oci"));
  fs.writeFileSync(path.join(dir, "oci", "__init__.py"), fakeSdk);
  fs.writeFileSync(path.join(dir, "oci_usage.py"), ociUsageScript());
  fs.writeFileSync(path.join(dir, "inventory.json"), JSON.stringify(inv));
  const env = { ...process.env, PYTHONPATH: dir, FAKE_OCI_INVENTORY: path.join(dir, "inventory.json") };
  return { dir, run: (out) => spawnSync("python3", [path.join(dir, "oci_usage.py"), out], { encoding: "utf8", env }) };
}

const ratioLine = (resource: string, value: number) => `${homelabMetrics.ociAlwaysFreeRatio}{resource="${resource}"} ${value.toFixed(6)}`;

describe("the Always Free usage job (python3, SDK stand-in)", () => {
  it("adds up every live A1 instance, volume, boot volume and bucket of every compartment", () => {
    const { dir, run } = sandbox(inventory);
    const out = path.join(dir, "oci_usage.prom");
    const r = run(out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const text = fs.readFileSync(out, "utf8");
    expect(text).toContain(ratioLine("ocpus", 3.5 / ociAlwaysFree.ocpus));
    expect(text).toContain(ratioLine("memory", 21 / ociAlwaysFree.memoryGb));
    expect(text).toContain(ratioLine("block_storage", (30 + 50 + 47) / ociAlwaysFree.blockStorageGb));
    expect(text).toContain(ratioLine("object_storage", 5 / ociFreeObjectStorageGb));
    expect(text).toMatch(new RegExp(`^# TYPE ${homelabMetrics.ociAlwaysFreeRatio} gauge$`, "m"));
    const collected = Number(new RegExp(`^${homelabMetrics.ociUsageCollected} (\\d+)$`, "m").exec(text)?.[1]);
    expect(Math.abs(collected - Date.now() / 1000)).toBeLessThan(60);
    expect(fs.existsSync(`${out}.tmp`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("goes beyond 1 when the tenancy uses more than the allowance", () => {
    const { dir, run } = sandbox({ ...inventory, instances: [...inventory.instances, a1("ocid1.compartment.oc1..homelab", 2, 12)] });
    const out = path.join(dir, "oci_usage.prom");
    expect(run(out).status).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toContain(ratioLine("ocpus", 5.5 / ociAlwaysFree.ocpus));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fails loudly and keeps the last figures when OCI cannot be read", () => {
    const { dir, run } = sandbox({ ...inventory, fail: "the instance metadata service did not answer" });
    const out = path.join(dir, "oci_usage.prom");
    fs.writeFileSync(out, "last figures\n");
    const r = run(out);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("the instance metadata service did not answer");
    expect(fs.readFileSync(out, "utf8")).toBe("last figures\n");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs from its compose loop with the interpreter of the `oci` command, then sleeps an hour", () => {
    const { dir } = sandbox(inventory);
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const python = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim();
    fs.writeFileSync(path.join(bin, "oci"), `#!${python}\nprint("the CLI")\n`, { mode: 0o755 });
    // The loop's sleep records its argument and ends the loop.
    fs.writeFileSync(path.join(bin, "sleep"), `#!/bin/sh\necho "$1" > ${JSON.stringify(path.join(dir, "slept"))}\nkill "$PPID"\n`, { mode: 0o755 });
    const service = ociUsageService("ghcr.io/oracle/oci-cli:test") as { command: string[]; entrypoint: string[]; volumes: string[] };
    // Compose turns $$ back into $; the container's mounts become the sandbox's paths.
    const script = service.command[0].replace(/\$\$/g, "$").replace("/scripts/oci_usage.py", path.join(dir, "oci_usage.py")).replace("/textfile/", `${dir}/`);
    const r = spawnSync(service.entrypoint[0], [service.entrypoint[1], script], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PYTHONPATH: dir, FAKE_OCI_INVENTORY: path.join(dir, "inventory.json") } });
    expect(r.stderr).toBe("");
    expect(fs.readFileSync(path.join(dir, "oci_usage.prom"), "utf8")).toContain(ratioLine("ocpus", 3.5 / ociAlwaysFree.ocpus));
    expect(fs.readFileSync(path.join(dir, "slept"), "utf8").trim()).toBe("3600");
    const { command, ...rest } = service as Record<string, unknown>;
    expect(command).toHaveLength(1);
    expect(rest).toEqual({
      image: "ghcr.io/oracle/oci-cli:test",
      container_name: "oci-usage",
      restart: "unless-stopped",
      network_mode: "host",
      user: "0:0",
      entrypoint: ["/bin/sh", "-c"],
      volumes: ["./monitoring/oci_usage.py:/scripts/oci_usage.py:ro", "./monitoring/textfile:/textfile"],
      deploy: { resources: { limits: { memory: "256m" } } },
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("may read, as the VM itself, what the count needs and nothing else", () => {
    expect(ociUsagePolicyStatements(managementVmDynamicGroup)).toEqual([
      "Allow dynamic-group homelab-management-vm to inspect compartments in tenancy",
      "Allow dynamic-group homelab-management-vm to inspect instances in tenancy",
      "Allow dynamic-group homelab-management-vm to inspect volume-family in tenancy",
      "Allow dynamic-group homelab-management-vm to read buckets in tenancy",
      "Allow dynamic-group homelab-management-vm to read objectstorage-namespaces in tenancy",
    ]);
    expect(() => ociUsagePolicyStatements("vm to manage all-resources in tenancy\nAllow x")).toThrow(/dynamic group .*expected letters, digits/);
  });
});
