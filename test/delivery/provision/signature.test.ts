import { execFileSync } from "child_process";
import { bodyExpression, dispatchEventType, dispatchUrl, environReads, headersExpression } from "../../../components/identity/provisioning";
import { maxAgeSeconds, signDispatch, verifyDispatch } from "../../../delivery/provision/signature";

const secret = "s".repeat(48);

/**
 * Runs a webhook mapping as Authentik's evaluator does: the expression is
 * the body of a function whose parameters are the context (here the
 * notification), with the worker's environment.
 */
function runMapping(expression: string, action: string | null, env: Record<string, string>): Record<string, unknown> {
  const harness = [
    "import json, sys, types",
    "event = types.SimpleNamespace(action=sys.argv[2]) if sys.argv[2] else None",
    "notification = types.SimpleNamespace(event=event, body='changed', severity='notice')",
    "scope = {}",
    "exec('def handler(notification):\\n' + '\\n'.join('    ' + l for l in sys.argv[1].splitlines()), scope)",
    "print(json.dumps(scope['handler'](notification)))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", harness, expression, action ?? ""], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" }));
}

describe("the provisioning dispatch, signed by Authentik's mapping and checked by the workflow", () => {
  it("Authentik's body mapping (run in Python) produces a dispatch the workflow accepts", () => {
    const body = runMapping(bodyExpression, "model_updated", { AK_PROVISIONING_WEBHOOK_SECRET: secret }) as { event_type: string; client_payload: Record<string, string> };
    expect(body.event_type).toBe(dispatchEventType);
    expect(body.client_payload.action).toBe("model_updated");
    expect(verifyDispatch(body.client_payload, secret, new Date())).toEqual({ ok: true, action: "model_updated" });
    // Another secret, or a changed action, is refused.
    expect(verifyDispatch(body.client_payload, "t".repeat(48), new Date())).toMatchObject({ ok: false, reason: expect.stringContaining("does not match") });
    expect(verifyDispatch({ ...body.client_payload, action: "model_deleted" }, secret, new Date())).toMatchObject({ ok: false });
  });

  it("signs a notification without an event too", () => {
    const body = runMapping(bodyExpression, null, { AK_PROVISIONING_WEBHOOK_SECRET: secret }) as { client_payload: Record<string, string> };
    expect(verifyDispatch(body.client_payload, secret, new Date())).toEqual({ ok: true, action: "notification" });
  });

  it("goes to the repository's dispatches endpoint, and names the variables the mappings read", () => {
    expect(dispatchUrl("homelab-admin/homelab")).toBe("https://api.github.com/repos/homelab-admin/homelab/dispatches");
    expect(environReads(bodyExpression)).toEqual(["AK_PROVISIONING_WEBHOOK_SECRET"]);
    expect(environReads(headersExpression)).toEqual(["AK_GITHUB_DISPATCH_TOKEN"]);
    expect(environReads('os.environ["A_1"] + os.environ["lower"] + os.environ["B"]')).toEqual(["A_1", "B"]);
  });

  it("the headers mapping sends the dispatch token as GitHub wants it", () => {
    expect(runMapping(headersExpression, "model_updated", { AK_GITHUB_DISPATCH_TOKEN: "github_pat_x" })).toEqual({
      Authorization: "Bearer github_pat_x",
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
    });
  });

  const now = new Date("2026-11-23T12:00:00Z");
  const at = (offset: number) => String(now.getTime() / 1000 + offset);
  const signed = (sentAt: string, action = "model_created") => ({ action, sent_at: sentAt, signature: signDispatch(secret, sentAt, action) });

  it("refuses a dispatch older or newer than the window, and takes one at its edge", () => {
    expect(verifyDispatch(signed(at(-maxAgeSeconds)), secret, now).ok).toBe(true);
    expect(verifyDispatch(signed(at(maxAgeSeconds)), secret, now).ok).toBe(true);
    expect(verifyDispatch(signed(at(-maxAgeSeconds - 1)), secret, now)).toEqual({ ok: false, reason: `client_payload.sent_at is 601 s ago: expected within ${maxAgeSeconds} s of now (a replayed or delayed dispatch)` });
    expect(verifyDispatch(signed(at(maxAgeSeconds + 1)), secret, now)).toMatchObject({ ok: false, reason: `client_payload.sent_at is 601 s ahead of this runner's clock: expected within ${maxAgeSeconds} s of now (a replayed or delayed dispatch)` });
  });

  it("refuses a payload of the wrong shape before comparing anything, and an empty secret", () => {
    expect(verifyDispatch(undefined, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("expected action, sent_at and signature") });
    expect(verifyDispatch({ ...signed(at(0)), action: 5 }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("expected action, sent_at and signature") });
    expect(verifyDispatch({ ...signed(at(0)), signature: 5 }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("expected action, sent_at and signature") });
    expect(verifyDispatch({ ...signed(at(0)), signature: `ff${signed(at(0)).signature}` }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("64 hex digits") });
    expect(verifyDispatch({ ...signed(at(0)), signature: `${signed(at(0)).signature}ff` }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("64 hex digits") });
    expect(verifyDispatch({ ...signed(at(0)), sent_at: 5 }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("expected action, sent_at and signature") });
    expect(verifyDispatch({ ...signed(at(0)), sent_at: "12.5" }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("expected seconds since the epoch") });
    expect(verifyDispatch({ ...signed(at(0)), signature: "ab" }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("64 hex digits") });
    expect(verifyDispatch({ ...signed(at(0)), signature: "A".repeat(64) }, secret, now)).toMatchObject({ ok: false, reason: expect.stringContaining("64 hex digits") });
    expect(verifyDispatch(signed(at(0)), "", now)).toMatchObject({ ok: false, reason: expect.stringContaining("PROVISIONING_WEBHOOK_SECRET is empty") });
  });
});
