// A KubeVirt gaming session started and stopped from the launch page's code,
// against the KubeVirt stand-in, with a fake clock.
import { kubevirtClient } from "../../gaming/kubevirtApi";
import { SessionDeps, startSession, stopSession } from "../../gaming/session";
import { KubevirtStandIn, StandInSession, kubevirtStandIn } from "./kubevirtStandIn";

const target = { namespace: "gaming", name: "gaming", stream: "gaming-stream" };
const fresh = (over: Partial<StandInSession> = {}): StandInSession => ({ ...target, running: false, bootReads: 2, agentReads: 1, address: "192.168.71.243", ...over });

describe("a KubeVirt gaming session on demand, against the KubeVirt stand-in", () => {
  let api: KubevirtStandIn;
  let clock = 0;
  const notes: string[] = [];
  const deps = (streaming: (address: string) => boolean, token?: string): SessionDeps => ({
    kube: kubevirtClient({ apiServer: api.url, token: token ?? api.token }),
    streamingUp: async (address) => streaming(address),
    notify: async (title, message, ok) => void notes.push(`${ok ? "ok" : "not ok"} ${title}: ${message}`),
    sleep: async (ms) => {
      if ((clock += ms) > 3_600_000) throw new Error("slept more than an hour");
    },
    now: () => clock,
  });
  const start = async (session: StandInSession, streaming: (address: string) => boolean = (a) => a === "192.168.71.243", timeout = 600_000) => {
    api = await kubevirtStandIn(session);
    return startSession(deps(streaming), target, { readyTimeoutMs: timeout });
  };
  beforeEach(() => {
    clock = 0;
    notes.length = 0;
  });
  afterEach(() => api.close());
  const puts = () => api.requests.filter((r) => r.startsWith("PUT"));

  it("starts the stopped session, waits for the guest agent and Sunshine at the stream address, and says so", async () => {
    const r = await start(fresh());
    expect(r).toEqual({ ready: true, address: "192.168.71.243", lines: ["gaming started", "ready: stream from 192.168.71.243 (Moonlight)"] });
    expect(puts()).toEqual(["PUT /apis/subresources.kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming/start"]);
    expect(notes).toEqual(["ok Gaming session ready: gaming is up: connect Moonlight to 192.168.71.243"]);
    // Booting, then the agent: it polled until both, every 5 s.
    expect(clock).toBe(3 * 5_000);
  });

  it("does not start a session that already runs, and still waits for it", async () => {
    const r = await start(fresh({ running: true, bootReads: 0, agentReads: 0 }));
    expect(r.lines).toEqual(["gaming was already running", "ready: stream from 192.168.71.243 (Moonlight)"]);
    expect(puts()).toEqual([]);
  });

  it("says why it is not ready after the timeout, each way it can fall short, and notifies", async () => {
    expect((await start(fresh({ agentReads: 1_000 }), undefined, 60_000)).lines.at(-1)).toBe("not ready after 1 min: Windows's guest agent is not connected");
    await api.close();
    expect((await start(fresh(), () => false, 60_000)).lines.at(-1)).toBe("not ready after 1 min: Windows is up but the streaming host does not answer at 192.168.71.243");
    await api.close();
    expect((await start(fresh({ address: undefined }), undefined, 60_000)).lines.at(-1)).toBe("not ready after 1 min: the stream Service gaming-stream has no LAN address");
    await api.close();
    expect((await start(fresh({ bootReads: 1_000 }), undefined, 60_000)).lines.at(-1)).toBe("not ready after 1 min: the session is Scheduling");
    expect(notes.at(-1)).toBe("not ok Gaming session not ready: gaming: the session is Scheduling");
  });

  it("stops a running session and waits until its instance is gone; a stopped one is left alone", async () => {
    api = await kubevirtStandIn(fresh({ running: true }));
    expect(await stopSession(deps(() => true), target)).toBe("gaming stopped");
    expect(puts()).toEqual(["PUT /apis/subresources.kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming/stop"]);
    expect(await stopSession(deps(() => true), target)).toBe("gaming is already stopped");
    expect(puts()).toHaveLength(1);
  });

  it("gives up on a stop whose instance never goes, after 5 minutes", async () => {
    api = await kubevirtStandIn(fresh({ running: true }));
    const kube = kubevirtClient({ apiServer: api.url, token: api.token });
    // An instance that stays (its shutdown hangs): the stop subresource is taken, the instance is still read.
    const stuck = { ...kube, stop: async () => undefined };
    await expect(stopSession({ ...deps(() => true), kube: stuck }, target)).rejects.toThrow("stop gaming: its instance still runs after 300 s");
    expect(clock).toBe(300_000);
  });

  it("a refused token stops it with the API server's words, nothing started", async () => {
    api = await kubevirtStandIn(fresh());
    await expect(startSession(deps(() => true, "wrong"), target, { readyTimeoutMs: 60_000 })).rejects.toThrow("Kubernetes GET /apis/kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming: HTTP 401 Unauthorized");
    expect(puts()).toEqual([]);
  });

  it("a trailing slash on the API server's address changes nothing; an instance read refused for another reason than absence is an error", async () => {
    api = await kubevirtStandIn(fresh());
    const slashed = kubevirtClient({ apiServer: `${api.url}//`, token: () => api.token });
    expect(await slashed.session(target)).toEqual({ name: "gaming", status: "Stopped", running: false });
    expect(await slashed.instance(target)).toBeUndefined();
    await slashed.start(target);
    expect(api.requests.at(-1)).toBe("PUT /apis/subresources.kubevirt.io/v1/namespaces/gaming/virtualmachines/gaming/start");
    api.session.instancesForbidden = true;
    await expect(slashed.instance(target)).rejects.toThrow('Kubernetes GET /apis/kubevirt.io/v1/namespaces/gaming/virtualmachineinstances/gaming: HTTP 403 virtualmachineinstances.kubevirt.io "gaming" is forbidden');
  });

  it("reads an instance's phase and its agent, and the Service's address only once the pool gave one", async () => {
    api = await kubevirtStandIn(fresh({ running: true, bootReads: 1, agentReads: 1, address: undefined }));
    const kube = kubevirtClient({ apiServer: api.url, token: api.token });
    expect(await kube.instance(target)).toEqual({ phase: "Scheduling", agentConnected: false });
    expect(await kube.instance(target)).toEqual({ phase: "Running", agentConnected: false });
    expect(await kube.instance(target)).toEqual({ phase: "Running", agentConnected: true });
    expect(await kube.streamAddress(target)).toBeUndefined();
    api.session.address = "192.168.71.250";
    expect(await kube.streamAddress(target)).toBe("192.168.71.250");
    expect(await kube.session(target)).toEqual({ name: "gaming", status: "Running", running: true });
  });

  it("a session that is not there is named in the error", async () => {
    api = await kubevirtStandIn(fresh());
    await expect(startSession(deps(() => true), { ...target, name: "room-pc" }, { readyTimeoutMs: 60_000 })).rejects.toThrow("HTTP 404 the server could not find the requested resource");
  });
});
