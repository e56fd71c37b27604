// The launch page in headless Chromium (Debian's, driven by playwright-core),
// served by its own server against the loopback Proxmox stand-in: it lists
// the VM and its state, offers what the memory mode allows, and its buttons
// start (stopping DEV when that is the button pressed) and stop the VM. The
// SSO proxy's headers are set as the proxy would set them.
import * as fs from "fs";
import { startLaunchServer, LaunchServerDeps, kubevirtBackend, proxmoxBackend } from "../../gaming/web/server";
import { kubevirtClient } from "../../gaming/kubevirtApi";
import { proxmoxClient } from "../../gaming/proxmox";
import { chromiumPath } from "../../verify/glancePage";
import { ProxmoxStandIn, StandInVm, proxmoxStandIn } from "./proxmoxStandIn";
import { KubevirtStandIn, kubevirtStandIn } from "./kubevirtStandIn";

const gib = (n: number) => n * 1024;
const hostVms = (): StandInVm[] => [
  { vmid: 201, name: "prod-cp-1", status: "running", maxmemMiB: gib(8), tags: ["prod"], agent: true },
  { vmid: 202, name: "prod-worker-1", status: "running", maxmemMiB: gib(16), tags: ["prod"], agent: true },
  { vmid: 101, name: "dev-cp-1", status: "running", maxmemMiB: gib(6), tags: ["dev"], agent: true },
  { vmid: 102, name: "dev-worker-1", status: "running", maxmemMiB: gib(6), tags: ["dev"], agent: true },
  { vmid: 300, name: "gaming", status: "stopped", maxmemMiB: gib(32), tags: ["gaming"], agent: true, address: "192.168.68.60" },
];

interface Rig {
  api: ProxmoxStandIn;
  url: string;
  notes: string[];
  close(): Promise<void>;
}

async function rig(usableGb = 60): Promise<Rig> {
  const api = await proxmoxStandIn(hostVms());
  const notes: string[] = [];
  const deps: LaunchServerDeps = {
    backend: proxmoxBackend(
      {
        pve: proxmoxClient({ endpoint: api.url, node: api.node, token: api.token }),
        streamingUp: async (address) => address === "192.168.68.60",
        notify: async (title, message) => void notes.push(`${title}: ${message}`),
        sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
        now: () => Date.now(),
      },
      { vmid: 300, usableMiB: gib(usableGb) },
      30_000,
    ),
    allowedGroups: ["admin", "gamers"],
    log: () => undefined,
  };
  const server = await startLaunchServer(deps, 0, "127.0.0.1");
  return { api, url: server.url, notes, close: async () => (await server.close(), await api.close()) };
}

const signedIn = { "X-Forwarded-User": "alex", "X-Forwarded-Groups": "family,gamers" };
/** Reloads the page until its start or stop is done (it refreshes itself while one is under way). */
async function settle(page: import("playwright-core").Page): Promise<void> {
  for (let i = 0; i < 50 && !/done|failed/.test((await page.textContent("#job h2")) ?? ""); i++) {
    await new Promise((res) => setTimeout(res, 100));
    await page.reload();
  }
}
/** Effects that never wait and never stream. */
const idle = { streamingUp: async () => false, notify: async () => undefined, sleep: async () => undefined, now: () => 0 };
const posts = (r: Rig) => r.api.requests.filter((q) => q.startsWith("POST") && /status\/(start|shutdown)$/.test(q));

describe("the launch page in Chromium", () => {
  const available = fs.existsSync(chromiumPath());
  let browser: import("playwright-core").Browser;
  beforeAll(async () => {
    if (!available) throw new Error(`no Chromium at ${chromiumPath()}: .ci/debian-packages installs Debian's chromium`);
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
  }, 60_000);
  afterAll(async () => browser?.close());

  it("lists the VM, stops DEV and starts it with the one button memory allows, then stops it", async () => {
    const r = await rig();
    const page = await browser.newPage({ extraHTTPHeaders: signedIn });
    try {
      await page.goto(`${r.url}/`);
      expect(await page.textContent("tr[data-vmid='300'] .name")).toBe("gaming");
      expect(await page.textContent("tr[data-vmid='300'] .state")).toBe("stopped");
      expect(await page.textContent("#memory")).toContain("Stopping DEV (dev-cp-1, dev-worker-1) makes room");
      expect(await page.locator("#actions button").allTextContents()).toEqual(["Stop DEV and start"]);

      await page.click("text=Stop DEV and start");
      await page.waitForURL(`${r.url}/`);
      await settle(page);
      expect(await page.textContent("#job h2")).toBe("Start: done");
      expect(await page.locator("#job li").allTextContents()).toEqual(["stopped DEV: dev-cp-1, dev-worker-1", "gaming started", "ready: stream from 192.168.68.60 (Moonlight)"]);
      expect(await page.textContent("tr[data-vmid='300'] .state")).toBe("running");
      expect(posts(r)).toEqual(["POST /api2/json/nodes/pve/qemu/101/status/shutdown", "POST /api2/json/nodes/pve/qemu/102/status/shutdown", "POST /api2/json/nodes/pve/qemu/300/status/start"]);
      expect(r.notes).toEqual(["Gaming VM ready: gaming is up: connect Moonlight to 192.168.68.60"]);

      expect(await page.locator("#actions button").allTextContents()).toEqual(["Stop"]);
      await page.click("text=Stop");
      await settle(page);
      expect(await page.textContent("#job h2")).toBe("Stop: done");
      expect(await page.textContent("tr[data-vmid='300'] .state")).toBe("stopped");
      expect(posts(r).slice(3)).toEqual(["POST /api2/json/nodes/pve/qemu/300/status/shutdown"]);
    } finally {
      await page.close();
      await r.close();
    }
  }, 60_000);

  it("offers a plain Start when the VM fits, and nothing when even stopping DEV is not enough", async () => {
    const roomy = await rig(100);
    const tight = await rig(40);
    const page = await browser.newPage({ extraHTTPHeaders: signedIn });
    try {
      await page.goto(`${roomy.url}/`);
      expect(await page.locator("#actions button").allTextContents()).toEqual(["Start"]);
      expect(await page.textContent("#memory")).toContain("It fits");
      await page.goto(`${tight.url}/`);
      expect(await page.locator("#actions button").allTextContents()).toEqual([]);
      expect(await page.textContent("#memory")).toContain("Not enough memory even with DEV stopped");
    } finally {
      await page.close();
      await roomy.close();
      await tight.close();
    }
  }, 60_000);
});

describe("the launch page for a KubeVirt session, in Chromium", () => {
  let browser: import("playwright-core").Browser;
  let api: KubevirtStandIn;
  let server: { url: string; close(): Promise<void> };
  const notes: string[] = [];
  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
    api = await kubevirtStandIn({ namespace: "gaming", name: "gaming", stream: "gaming-stream", running: false, bootReads: 2, agentReads: 1, address: "192.168.71.243" });
    const effects = { streamingUp: async (a: string) => a === "192.168.71.243", notify: async (t: string, m: string) => void notes.push(`${t}: ${m}`), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))), now: () => Date.now() };
    const backend = kubevirtBackend({ ...effects, kube: kubevirtClient({ apiServer: api.url, token: () => api.token }) }, { namespace: "gaming", name: "gaming", stream: "gaming-stream" }, 30_000);
    server = await startLaunchServer({ backend, allowedGroups: ["admin", "gamers"], log: () => undefined }, 0, "127.0.0.1");
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.close();
  });

  it("lists the session and its state, starts it until Sunshine answers, then stops it", async () => {
    const page = await browser.newPage({ extraHTTPHeaders: signedIn });
    try {
      await page.goto(`${server.url}/`);
      expect(await page.textContent("tr[data-session='gaming'] .name")).toBe("gaming");
      expect(await page.textContent("tr[data-session='gaming'] .state")).toBe("stopped");
      expect(await page.locator("#memory").count()).toBe(0);
      expect(await page.locator("#actions button").allTextContents()).toEqual(["Start"]);

      await page.click("text=Start");
      await page.waitForURL(`${server.url}/`);
      await settle(page);
      expect(await page.textContent("#job h2")).toBe("Start: done");
      expect(await page.locator("#job li").allTextContents()).toEqual(["gaming started", "ready: stream from 192.168.71.243 (Moonlight)"]);
      expect(await page.textContent("tr[data-session='gaming'] .state")).toBe("running");
      expect(notes).toEqual(["Gaming session ready: gaming is up: connect Moonlight to 192.168.71.243"]);

      expect(await page.locator("#actions button").allTextContents()).toEqual(["Stop"]);
      await page.click("text=Stop");
      await settle(page);
      expect(await page.textContent("#job h2")).toBe("Stop: done");
      expect(await page.textContent("tr[data-session='gaming'] .state")).toBe("stopped");
      expect(api.requests.filter((q) => q.startsWith("PUT"))).toEqual([
        "PUT /apis/subresources.kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming/start",
        "PUT /apis/subresources.kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming/stop",
      ]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("says so when the API server refuses the page's token", async () => {
    const refused = await startLaunchServer(
      { backend: kubevirtBackend({ ...idle, kube: kubevirtClient({ apiServer: api.url, token: "expired" }) }, { namespace: "gaming", name: "gaming", stream: "gaming-stream" }, 1000), allowedGroups: ["gamers"], log: () => undefined },
      0,
      "127.0.0.1",
    );
    try {
      const res = await fetch(`${refused.url}/`, { headers: signedIn });
      expect([res.status, await res.text()]).toEqual([502, "Kubernetes did not answer as expected: Kubernetes GET /apis/kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming: HTTP 401 Unauthorized\n"]);
    } finally {
      await refused.close();
    }
  });
});

describe("the launch page's server", () => {
  let r: Rig;
  beforeEach(async () => (r = await rig()));
  afterEach(() => r.close());

  it("serves only the allowed groups, and its health to anyone", async () => {
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${r.url}/`)).status).toBe(403);
    expect((await fetch(`${r.url}/`, { headers: { "X-Forwarded-User": "kid", "X-Forwarded-Groups": "family" } })).status).toBe(403);
    expect((await fetch(`${r.url}/`, { headers: { "X-Forwarded-User": "admin", "X-Forwarded-Groups": "admin" } })).status).toBe(200);
    expect((await fetch(`${r.url}/`, { headers: { "X-Forwarded-Groups": "gamers" } })).status).toBe(403);
  });

  it("takes a press only from its own page, and one at a time", async () => {
    const press = (headers: Record<string, string>) => fetch(`${r.url}/start`, { method: "POST", redirect: "manual", headers: { ...signedIn, "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: "stopDev=1" });
    expect((await press({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await press({ Origin: "https://evil.example" })).status).toBe(403);
    expect((await press({})).status).toBe(403);
    expect(posts(r)).toEqual([]);
    const first = await press({ "Sec-Fetch-Site": "same-origin" });
    expect([first.status, first.headers.get("location")]).toEqual([303, "/"]);
    expect((await press({ Origin: r.url })).status).toBe(409);
  });

  it("says so when Proxmox refuses, and when the VM is not on the host", async () => {
    const other = await proxmoxStandIn(hostVms(), "pve", "someone@pve!else=x");
    const server = await startLaunchServer(
      {
        backend: proxmoxBackend({ pve: proxmoxClient({ endpoint: other.url, node: "pve", token: "homelab-gaming@pve!control=wrong" }), ...idle }, { vmid: 300, usableMiB: gib(60) }, 1000),
        allowedGroups: ["admin", "gamers"],
        log: () => undefined,
      },
      0,
      "127.0.0.1",
    );
    try {
      const res = await fetch(`${server.url}/`, { headers: signedIn });
      expect(res.status).toBe(502);
      expect(await res.text()).toContain("HTTP 401");
    } finally {
      await server.close();
      await other.close();
    }
    const elsewhere = await startLaunchServer(
      {
        backend: proxmoxBackend({ pve: proxmoxClient({ endpoint: r.api.url, node: r.api.node, token: r.api.token }), ...idle }, { vmid: 999, usableMiB: gib(60) }, 1000),
        allowedGroups: ["gamers"],
        log: () => undefined,
      },
      0,
      "127.0.0.1",
    );
    try {
      const res = await fetch(`${elsewhere.url}/`, { headers: signedIn });
      expect([res.status, await res.text()]).toEqual([500, "VM 999 is not on this host; expected the gaming VM's homelab:gamingVm.vmId\n"]);
    } finally {
      await elsewhere.close();
    }
  });
});
