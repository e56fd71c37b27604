// The host's idle watcher, the script as the program renders it, run by sh
// with curl and jq against the loopback stand-in of Proxmox's API and a
// stand-in of ntfy's publish endpoint.
import { execFile } from "child_process";
import * as fs from "fs";
import http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { IdleSettings, idleSettingsFile, idleWatchScript, idleWatchStep, idleWatchUnits, nvidiaSmi } from "../../components/gaming/idleWatch";
import { homelabMetrics as m } from "../../components/monitoring/metrics";
import { StandInVm, proxmoxStandIn } from "./proxmoxStandIn";

interface Published {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function ntfyStandIn(status = 200) {
  const published: Published[] = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    published.push({ path: req.url ?? "", headers: req.headers, body });
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, published, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const settings: IdleSettings = { minutes: 30, gpuPercent: 10, streamKbps: 1000 };
const ntfyToken = "tk_0123456789abcdefghijklmnopqrs";
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  state: string | null;
  requests: string[];
  published: Published[];
  vm: StandInVm;
  /** What it left for node_exporter's textfile collector, by metric. */
  metrics: Record<string, number> | null;
}

/** One run of the watcher; `state` is the line the previous run left, if any. */
async function watch(vm: Partial<StandInVm>, state?: string, opts: { settings?: IdleSettings; token?: string; ntfyStatus?: number } = {}): Promise<Run> {
  const pve = await proxmoxStandIn([{ vmid: 300, name: "gaming", status: "running", maxmemMiB: 32768, tags: ["gaming"], agent: true, netout: 5_000_000, gpuPercent: 3, ...vm }]);
  const ntfy = await ntfyStandIn(opts.ntfyStatus);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaming-idle-"));
  try {
    const script = path.join(dir, "gaming-idle.sh");
    const env = path.join(dir, "gaming-idle.env");
    const statePath = path.join(dir, "state");
    fs.writeFileSync(script, idleWatchScript());
    const target = { api: `${pve.url}/api2/json`, node: pve.node, vmId: 300, ntfyUrl: `${ntfy.url}/homelab-gaming` };
    const textfiles = path.join(dir, "textfiles");
    fs.mkdirSync(textfiles);
    fs.writeFileSync(env, idleSettingsFile(target, opts.settings ?? settings, { pveToken: opts.token ?? pve.token, ntfyToken }, statePath, textfiles));
    if (state !== undefined) fs.writeFileSync(statePath, `${state}\n`);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile("sh", [script, env], { timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })),
    );
    const prom = path.join(textfiles, "homelab_gaming.prom");
    const metrics = fs.existsSync(prom)
      ? Object.fromEntries(
          fs
            .readFileSync(prom, "utf8")
            .split("\n")
            .filter((l) => l && !l.startsWith("#"))
            .map((l) => [l.split(" ")[0], Number(l.split(" ")[1])]),
        )
      : null;
    expect(fs.readdirSync(textfiles).filter((f) => f.startsWith("."))).toEqual([]);
    return { ...r, state: fs.existsSync(statePath) ? fs.readFileSync(statePath, "utf8").trim() : null, requests: pve.requests, published: ntfy.published, vm: pve.vms[0], metrics };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await pve.close();
    await ntfy.close();
  }
}

/** A previous sample a minute ago, `sentBytes` before the current counter, idle since `idleMinutes` ago ("-": in use). */
const previous = (netoutNow: number, sentBytes: number, idleMinutes: number | "-") => {
  const t = nowSeconds() - 60;
  return `${t} ${netoutNow - sentBytes} ${idleMinutes === "-" ? "-" : nowSeconds() - idleMinutes * 60}`;
};
const shutdowns = (r: Run) => r.requests.filter((q) => q.endsWith("/qemu/300/status/shutdown"));

describe("the gaming VM's idle watcher", () => {
  it("shuts the VM down after the idle minutes with no stream and the GPU idle, and tells ntfy", async () => {
    const r = await watch({}, previous(5_000_000, 10_000, 31));
    expect(r.code).toBe(0);
    expect(shutdowns(r)).toHaveLength(1);
    expect(r.vm.status).toBe("stopped");
    expect(r.state).toBeNull();
    expect(r.stdout).toContain("shut down after 31 minutes idle");
    expect(r.published).toHaveLength(1);
    expect(r.published[0].path).toBe("/homelab-gaming");
    expect(r.published[0].headers.authorization).toBe(`Bearer ${ntfyToken}`);
    expect(r.published[0].headers.title).toBe("Gaming VM shut down");
    expect(r.published[0].body).toContain("idle for 31 minutes");
    expect(r.metrics).toEqual({ [m.gamingIdleWatchLastRun]: expect.any(Number), [m.gamingIdleMinutes]: 31, [m.gamingIdleLimitMinutes]: 30 });
    expect(Math.abs(r.metrics![m.gamingIdleWatchLastRun] - nowSeconds())).toBeLessThan(5);
  });

  it("asks the guest's nvidia-smi for the GPU load through the agent, as JSON", async () => {
    const r = await watch({ gpuPercent: 7 }, previous(5_000_000, 0, "-"));
    expect(r.requests).toEqual([
      "GET /api2/json/nodes/pve/qemu/300/status/current",
      "POST /api2/json/nodes/pve/qemu/300/agent/exec",
      "GET /api2/json/nodes/pve/qemu/300/agent/exec-status?pid=4000",
    ]);
    expect(r.stdout).toContain("GPU 7 %");
    expect(nvidiaSmi).toBe("C:\\Windows\\System32\\nvidia-smi.exe");
  });

  it("keeps a streaming VM up, however long it was idle before", async () => {
    // 60 MB in a minute: 8 Mbit/s, a stream.
    const r = await watch({ gpuPercent: 0, netout: 70_000_000 }, previous(70_000_000, 60_000_000, 45));
    expect(shutdowns(r)).toEqual([]);
    expect(r.state?.split(" ")[2]).toBe("-");
    expect(r.stdout).toMatch(/^in use: stream \d+ kbit\/s, GPU 0 %$/m);
    expect(r.metrics?.[m.gamingIdleMinutes]).toBe(0);
  });

  it("counts a stream from the network rate against streamKbps, at its edge", async () => {
    // The sample is a minute old, give or take the second the run starts in: 7 750 000 bytes are
    // 1000 kbit/s over 62 s (a stream at the threshold), 7 499 940 bytes under 1000 kbit/s over 60 s.
    const at = await watch({ netout: 10_000_000 }, previous(10_000_000, 7_750_000, 40));
    expect(shutdowns(at)).toEqual([]);
    expect(at.stdout).toMatch(/in use: stream 10(00|16|33) kbit\/s/);
    const below = await watch({ netout: 10_000_000 }, previous(10_000_000, 7_499_940, 40));
    expect(shutdowns(below)).toHaveLength(1);
  });

  it("keeps a VM whose GPU is busy up, at gpuPercent and above", async () => {
    const busy = await watch({ gpuPercent: 10 }, previous(5_000_000, 0, 45));
    expect(shutdowns(busy)).toEqual([]);
    expect(busy.stdout).toContain("in use: stream 0 kbit/s, GPU 10 %");
    const idle = await watch({ gpuPercent: 9 }, previous(5_000_000, 0, 45));
    expect(shutdowns(idle)).toHaveLength(1);
  });

  it("counts the minutes without shutting down before they are up, keeping since when", async () => {
    const state = previous(5_000_000, 0, 29);
    const r = await watch({}, state);
    expect(shutdowns(r)).toEqual([]);
    expect(r.stdout).toContain("idle 29 of 30 minutes: stream 0 kbit/s, GPU 3 %");
    expect(r.metrics?.[m.gamingIdleMinutes]).toBe(29);
    expect(r.state?.split(" ")[2]).toBe(state.split(" ")[2]);
    expect(r.state?.split(" ")[1]).toBe("5000000");
  });

  it("starts the idle clock at the first idle sample", async () => {
    const r = await watch({}, previous(5_000_000, 0, "-"));
    const [time, , since] = (r.state ?? "").split(" ");
    expect(since).toBe(time);
    expect(Math.abs(Number(time) - nowSeconds())).toBeLessThan(5);
    expect(r.stdout).toContain("idle 0 of 30 minutes");
  });

  it("only records the first sample after a start, or after the counter went back", async () => {
    const first = await watch({});
    expect(shutdowns(first)).toEqual([]);
    expect(first.state).toMatch(/^\d+ 5000000 -$/);
    expect(first.stdout).toContain("first sample since start");
    const reset = await watch({ netout: 1000 }, `${nowSeconds() - 60} 9000000 ${nowSeconds() - 3600}`);
    expect(shutdowns(reset)).toEqual([]);
    expect(reset.state).toMatch(/^\d+ 1000 -$/);
  });

  it("counts a GPU it cannot read as idle: the agent down, or nvidia-smi missing", async () => {
    const noAgent = await watch({ agent: false }, previous(5_000_000, 0, 31));
    expect(noAgent.stdout).toContain("GPU load unknown");
    expect(shutdowns(noAgent)).toHaveLength(1);
    const noDriver = await watch({ gpuPercent: undefined }, previous(5_000_000, 0, 31));
    expect(noDriver.stdout).toContain("GPU load unknown");
    expect(shutdowns(noDriver)).toHaveLength(1);
  });

  it("forgets its state while the VM is stopped, and asks nothing else", async () => {
    const r = await watch({ status: "stopped" }, previous(5_000_000, 0, 31));
    expect(r.code).toBe(0);
    expect(r.state).toBeNull();
    expect(r.requests).toEqual(["GET /api2/json/nodes/pve/qemu/300/status/current"]);
    expect(r.stdout).toContain("gaming VM 300 is stopped");
    expect(r.metrics?.[m.gamingIdleMinutes]).toBe(0);
  });

  it("fails, touching nothing, when the API refuses its token", async () => {
    const state = previous(5_000_000, 0, 31);
    const r = await watch({}, state, { token: "homelab-gaming@pve!idle=wrong" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("401");
    expect(r.state).toBe(state);
    expect(shutdowns(r)).toEqual([]);
    expect(r.published).toEqual([]);
    // Nothing written: the file goes stale and GamingIdleWatcherStopped says so.
    expect(r.metrics).toBeNull();
  });

  it("still shuts down when ntfy refuses, and says the notice was not sent", async () => {
    const r = await watch({}, previous(5_000_000, 0, 31), { ntfyStatus: 403 });
    expect(r.code).toBe(0);
    expect(shutdowns(r)).toHaveLength(1);
    expect(r.stderr).toContain("ntfy: not sent: Gaming VM shut down");
  });

  it("reads back every setting exactly, whatever characters it holds", async () => {
    const odd = "x'$(touch /tmp/pwned)`id` \"q\" \\n";
    const file = idleSettingsFile({ api: odd, node: "pve", vmId: 300, ntfyUrl: odd }, settings, { pveToken: odd, ntfyToken: odd }, odd);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaming-idle-env-"));
    try {
      fs.writeFileSync(path.join(dir, "env"), file);
      const out = await new Promise<string>((resolve, reject) =>
        execFile("sh", ["-c", '. "$1"; printf "%s|%s|%s|%s|%s|%s" "$PVE_API" "$PVE_TOKEN" "$NTFY_URL" "$NTFY_TOKEN" "$STATE_FILE" "$IDLE_MINUTES"', "sh", path.join(dir, "env")], (e, stdout) => (e ? reject(e) : resolve(stdout))),
      );
      expect(out).toBe([odd, odd, odd, odd, odd, "30"].join("|"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is installed by a step that takes the settings from standard input only, and runs every minute", () => {
    const step = idleWatchStep();
    expect(step).toContain(`cat > "$settings"`);
    expect(step).toContain(`install -D -m 0600 "$settings" '/etc/homelab/gaming-idle.env'`);
    expect(step).toContain("systemctl enable --now 'homelab-gaming-idle.timer'");
    expect(step).not.toMatch(/PVE_TOKEN=/);
    const units = idleWatchUnits();
    expect(units.service).toContain("ExecStart=/bin/sh /etc/homelab/gaming-idle.sh /etc/homelab/gaming-idle.env");
    expect(units.timer).toContain("OnUnitActiveSec=1min");
  });
});
