// The provisioning webhook's signature. Authentik's webhook mapping (its
// Python half is in components/identity/provisioning.ts) signs
// "<sent_at>.<action>" with the webhook secret; the workflow checks it, and
// that it is fresh, before it calls any API.
import { createHmac, timingSafeEqual } from "crypto";
import { webhookSecretBitwarden } from "../../components/identity/blueprints";

/** What Authentik's body mapping puts in the dispatch's client_payload. */
export interface DispatchPayload {
  action: string;
  /** Seconds since the epoch, as a string (GitHub keeps client_payload's values as sent). */
  sent_at: string;
  /** Hex HMAC-SHA256 of "<sent_at>.<action>". */
  signature: string;
}

/** A dispatch older (or further in the future) than this is refused: a replayed trigger. */
export const maxAgeSeconds = 600;

export const signDispatch = (secret: string, sentAt: string, action: string): string => createHmac("sha256", secret).update(`${sentAt}.${action}`).digest("hex");

export type Verdict = { ok: true; action: string } | { ok: false; reason: string };

/** Checks a repository_dispatch's client_payload: its shape, its age, then its signature (compared in constant time). */
export function verifyDispatch(payload: unknown, secret: string, now: Date): Verdict {
  if (!secret) return { ok: false, reason: `PROVISIONING_WEBHOOK_SECRET is empty; expected the Bitwarden secret ${webhookSecretBitwarden} as the repository's Actions secret` };
  const p = (payload ?? {}) as Partial<Record<keyof DispatchPayload, unknown>>;
  if (typeof p.action !== "string" || typeof p.sent_at !== "string" || typeof p.signature !== "string") {
    return { ok: false, reason: "client_payload: expected action, sent_at and signature (strings), as Authentik's provisioning mapping sends them" };
  }
  if (!/^\d{1,12}$/.test(p.sent_at)) return { ok: false, reason: `client_payload.sent_at ${JSON.stringify(p.sent_at)}: expected seconds since the epoch` };
  const age = now.getTime() / 1000 - Number(p.sent_at);
  if (Math.abs(age) > maxAgeSeconds) {
    const when = age > 0 ? `${Math.round(age)} s ago` : `${Math.round(-age)} s ahead of this runner's clock`;
    return { ok: false, reason: `client_payload.sent_at is ${when}: expected within ${maxAgeSeconds} s of now (a replayed or delayed dispatch)` };
  }
  if (!/^[0-9a-f]{64}$/.test(p.signature)) return { ok: false, reason: "client_payload.signature: expected 64 hex digits (HMAC-SHA256)" };
  const expected = Buffer.from(signDispatch(secret, p.sent_at, p.action), "hex");
  if (!timingSafeEqual(expected, Buffer.from(p.signature, "hex"))) return { ok: false, reason: `client_payload.signature does not match: expected the HMAC of Authentik's webhook secret (is PROVISIONING_WEBHOOK_SECRET the current ${webhookSecretBitwarden}?)` };
  return { ok: true, action: p.action };
}
