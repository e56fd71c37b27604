// The launch page as the cluster runs it: the one-file bundle the catalog
// entry puts in its ConfigMap, started by node with the entry's environment.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchSettings } from "../../gaming/web/main";
import { gamingLaunch, gamingLaunchEnv, launchBundle } from "../../services/gamingLaunch";
import { gamingLaunchSettings } from "../../stacks/home";
import { committedConfig } from "../../plan/stackFiles";
import { freePort } from "../../verify/net";
import { ProdConfig } from "../../config/schema";
import { validateMutated } from "../helpers";
import { kubevirtOn } from "./kubevirtVariant";

const env = (over: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  GAMING_BACKEND: "proxmox",
  PROXMOX_ENDPOINT: "https://127.0.0.1:1",
  PROXMOX_NODE: "pve",
  PROXMOX_INSECURE: "true",
  PROXMOX_GAMING_TOKEN: "homelab-gaming@pve!control=00000000-0000-0000-0000-000000000000",
  GAMING_VMID: "300",
  GAMING_USABLE_MIB: String(52 * 1024),
  PORT: "8080",
  ...over,
});

describe("the launch page's settings", () => {
  it("are what the prod stack gives, one key each", () => {
    const settings = gamingLaunchSettings(committedConfig("prod"), 300, { token: "homelab-gaming@pve!control=abc", ntfyUrl: "http://ntfy.ntfy.svc.cluster.local:2586", ntfyToken: "tk_n" });
    expect(Object.keys(settings).sort()).toEqual([...gamingLaunchEnv].sort());
    expect(gamingLaunch.generatedSecret?.keys).toEqual(gamingLaunchEnv);
    expect(launchSettings({ ...settings, PORT: "8080" })).toMatchObject({ backend: "proxmox", endpoint: "https://192.168.68.51:8006", node: "pve", vmid: 300, usableMiB: 52 * 1024, ntfy: { topic: "homelab-gaming" } });
    // With KubeVirt given the GPU, the page starts the session; the API server is the pod's own.
    const withKubevirt = validateMutated("prod", kubevirtOn).config as ProdConfig;
    const kv = gamingLaunchSettings(withKubevirt, 300, { token: "homelab-gaming@pve!control=abc", ntfyUrl: "http://ntfy", ntfyToken: "tk_n" });
    expect([kv.GAMING_BACKEND, kv.GAMING_SESSION, kv.GAMING_STREAM_SERVICE]).toEqual(["kubevirt", "gaming/gaming", "gaming-stream"]);
    expect(launchSettings({ ...kv, PORT: "8080", KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" })).toMatchObject({
      backend: "kubevirt",
      session: { namespace: "gaming", name: "gaming", stream: "gaming-stream" },
      apiServer: "https://10.96.0.1:443",
    });
  });

  it("name the variable and what it should hold when one is wrong", () => {
    expect(() => launchSettings(env({ PROXMOX_ENDPOINT: "http://192.168.68.51:8006" }))).toThrow("PROXMOX_ENDPOINT: expected the node's API address, https://<host>:8006");
    expect(() => launchSettings(env({ PROXMOX_GAMING_TOKEN: "secret-only" }))).toThrow("PROXMOX_GAMING_TOKEN: expected the gaming control's API token as <user>@<realm>!<token id>=<secret>");
    expect(() => launchSettings(env({ GAMING_VMID: "99" }))).toThrow("GAMING_VMID: expected a whole number from 100 to 999999999");
    expect(() => launchSettings(env({ PORT: "http" }))).toThrow("PORT: expected a whole number from 1 to 65535");
    expect(() => launchSettings(env({ GAMING_BACKEND: "vmware" }))).toThrow("GAMING_BACKEND: expected proxmox or kubevirt");
    const kubevirt = (over: Record<string, string>) => env({ GAMING_BACKEND: "kubevirt", GAMING_SESSION: "gaming/gaming", GAMING_STREAM_SERVICE: "gaming-stream", KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443", ...over });
    expect(() => launchSettings(kubevirt({ GAMING_SESSION: "gaming" }))).toThrow("GAMING_SESSION: expected the session's VirtualMachine as <namespace>/<name>");
    expect(() => launchSettings(kubevirt({ KUBERNETES_SERVICE_HOST: "" }))).toThrow("KUBERNETES_SERVICE_HOST: expected the API server's address (the kubelet sets it)");
    expect(() => launchSettings(kubevirt({ GAMING_STREAM_SERVICE: "Gaming Stream" }))).toThrow("GAMING_STREAM_SERVICE: expected the stream Service's name");
  });
});

describe("the bundle", () => {
  let child: ChildProcess | undefined;
  let dir: string;
  afterEach(() => {
    child?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs under node alone, serves its health, and says when Proxmox does not answer", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "launch-bundle-"));
    const file = path.join(dir, "launch.js");
    fs.writeFileSync(file, launchBundle());
    // Nothing but Node's own modules: no require of a package.
    expect(launchBundle()).not.toMatch(/require\("(?!(node:)?(http|https|net|tls|fs|path|crypto|url|util|events|stream|buffer|os|child_process|zlib)")[^"]+"\)/);
    const port = await freePort();
    let output = "";
    child = spawn(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH, ...env({ PORT: String(port) }) }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d) => (output += String(d)));
    child.stderr?.on("data", (d) => (output += String(d)));
    const base = `http://127.0.0.1:${port}`;
    let health = 0;
    for (let i = 0; i < 100 && health !== 200; i++) {
      health = await fetch(`${base}/healthz`).then((r) => r.status, () => 0);
      if (health !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect([health, output]).toEqual([200, expect.stringContaining("launch page on http://0.0.0.0:")]);
    const page = await fetch(`${base}/`, { headers: { "X-Forwarded-User": "alex", "X-Forwarded-Groups": "gamers" } });
    expect(page.status).toBe(502);
  }, 30_000);

  it("refuses to start with a bad setting, naming it", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "launch-bundle-"));
    const file = path.join(dir, "launch.js");
    fs.writeFileSync(file, launchBundle());
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      let err = "";
      child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, ...env({ GAMING_VMID: "x" }) }, stdio: ["ignore", "ignore", "pipe"] });
      child.stderr?.on("data", (d) => (err += String(d)));
      child.on("exit", (code) => resolve({ code, err }));
    });
    expect(r).toEqual({ code: 1, err: "GAMING_VMID: expected a whole number from 100 to 999999999\n" });
  });
});
