import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import { gamingTarget, runGaming } from "../../gaming/cli";
import type { Fetch } from "../../gaming/proxmox";
import { proxmoxFetch, tcpAnswers } from "../../gaming/transport";
import { UsageError } from "../../delivery/usage";
import { ProxmoxStandIn, proxmoxStandIn } from "./proxmoxStandIn";
import { ProdConfig } from "../../config/schema";
import { validateMutated } from "../helpers";
import { kubevirtOn } from "./kubevirtVariant";

const gib = (n: number) => n * 1024;

describe("npm run gaming, against the Proxmox stand-in in place of the committed host", () => {
  const target = gamingTarget();
  let api: ProxmoxStandIn;
  const out: string[] = [];
  // The committed endpoint (the LAN address) answered by the stand-in.
  const viaStandIn: Fetch = ((url: string, init?: RequestInit) => fetch(String(url).replace(target.access.endpoint.replace(/\/+$/, ""), api.url), init)) as Fetch;
  const run = (argv: string[], env: NodeJS.ProcessEnv = { PROXMOX_GAMING_TOKEN: api.token }) => runGaming(argv, env, (s) => out.push(s), viaStandIn);
  beforeEach(async () => {
    out.length = 0;
    api = await proxmoxStandIn(
      [
        { vmid: 201, name: "prod-cp-1", status: "running", maxmemMiB: gib(12), tags: ["prod"], agent: true },
        { vmid: 101, name: "dev-cp-1", status: "running", maxmemMiB: gib(20), tags: ["dev"], agent: true },
        { vmid: target.vmid, name: "gaming", status: "stopped", maxmemMiB: gib(32), tags: ["gaming", "prod"], agent: false },
      ],
      target.access.node,
    );
  });
  afterEach(() => api.close());

  it("acts on the committed host, VM and memory (64 GB, 12 kept by the host)", () => {
    expect(target).toEqual({ access: { endpoint: "https://192.168.68.51:8006", node: "pve" }, insecure: true, vmid: 300, usableMiB: gib(52) });
  });

  it("with KubeVirt given the GPU, start refuses and names the session's command; nothing is called", async () => {
    const withKubevirt = validateMutated("prod", kubevirtOn).config as ProdConfig;
    expect(gamingTarget(withKubevirt).kubevirtSession).toEqual({ namespace: "gaming", name: "gaming" });
    expect(await runGaming(["start"], {}, (s) => out.push(s), viaStandIn, withKubevirt)).toBe(1);
    expect(out).toEqual(["not started: the GPU is KubeVirt's (hypervisor.gpu.consumer), the Proxmox VM has none; start the session from the launch page, or with `kubectl virt start gaming -n gaming`"]);
    expect(api.requests).toEqual([]);
  });

  it("status lists the VMs and says whether the gaming VM fits", async () => {
    expect(await run(["status"])).toBe(0);
    expect(out).toEqual([
      " 201 prod-cp-1        running 12 GB  prod",
      " 101 dev-cp-1         running 20 GB  dev",
      " 300 gaming           stopped 32 GB  gaming,prod",
      "gaming needs 32 GB and 20 GB is free: stopping DEV (dev-cp-1) frees 20 GB; start it with --stop-dev to do so",
    ]);
  });

  it("start refuses while DEV is in the way (exit 1), and stop stops", async () => {
    expect(await run(["start"])).toBe(1);
    expect(out).toEqual(["not started: gaming needs 32 GB and 20 GB is free: stopping DEV (dev-cp-1) frees 20 GB; start it with --stop-dev to do so"]);
    expect(api.requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    api.vms[2].status = "running";
    expect(await run(["stop"])).toBe(0);
    expect(out[1]).toBe("gaming stopped");
  });

  it.each([
    [["reboot"], "reboot: expected one of status, start, stop"],
    [["stop", "--stop-dev"], "stop: unknown --stop-dev; expected no options"],
    [["start", "--force"], "start: unknown --force; expected --stop-dev, --timeout-minutes"],
    [["start", "--timeout-minutes", "0"], "--timeout-minutes: expected a whole number from 1 to 60"],
    [["start", "--timeout-minutes", "61"], "--timeout-minutes: expected a whole number from 1 to 60"],
  ])("refuses %j as usage", async (argv, message) => {
    await expect(run(argv)).rejects.toThrow(message);
    await expect(run(argv)).rejects.toBeInstanceOf(UsageError);
  });

  it("needs the control's own token, in Proxmox's form", async () => {
    for (const token of [undefined, "root@pam", "gaming@pve!control", "gaming@pve!control="]) {
      await expect(run(["status"], { PROXMOX_GAMING_TOKEN: token })).rejects.toThrow("PROXMOX_GAMING_TOKEN: expected the gaming control's API token as <user>@<realm>!<token id>=<secret>");
    }
    expect(api.requests).toEqual([]);
  });
});

describe("the transport", () => {
  it("accepts the node's self-signed certificate only when told to", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pve-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=pve", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
    const server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (req, res) => {
      res.writeHead(req.headers.authorization === "PVEAPIToken=t" ? 200 : 401, "authentication failure");
      res.end(JSON.stringify({ data: [] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api2/json/nodes/pve/qemu`;
      const res = await proxmoxFetch(true)(url, { method: "GET", headers: { Authorization: "PVEAPIToken=t" } });
      expect([res.ok, res.status, await res.text()]).toEqual([true, 200, '{"data":[]}']);
      const refused = await proxmoxFetch(true)(url, { method: "GET", headers: {} });
      expect([refused.status, refused.statusText]).toEqual([401, "authentication failure"]);
      await expect(proxmoxFetch(false)(url, { method: "GET", headers: {} })).rejects.toThrow(/self-signed certificate/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("probes a TCP port: open, then closed", async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    expect(await tcpAnswers("127.0.0.1", port)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await tcpAnswers("127.0.0.1", port)).toBe(false);
  });
});
