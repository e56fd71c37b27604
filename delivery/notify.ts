// Deploy results to the family's ntfy (the admin's topic): NTFY_URL (e.g.
// https://ntfy.homelab.example), NTFY_TOPIC and NTFY_TOKEN (an access token
// of a user allowed to publish) from the workflow's variables and secrets.
// Without NTFY_URL it says so and sends nothing: a missing notification must
// not fail a deploy that worked.

export interface Notification {
  title: string;
  message: string;
  /** The job's status: success, failure or cancelled. */
  status: string;
}

export interface NtfySettings {
  url?: string;
  topic?: string;
  token?: string;
}

/** The HTTP request ntfy's publish API takes (POST <url>/<topic>, headers for title, priority, tags). */
export function ntfyRequest(n: Notification, s: Required<Pick<NtfySettings, "url" | "topic">> & NtfySettings): { url: string; headers: Record<string, string>; body: string } {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s.topic)) throw new Error(`NTFY_TOPIC ${JSON.stringify(s.topic)}: expected a topic name (letters, digits, - and _)`);
  const failed = n.status !== "success";
  return {
    url: `${s.url.replace(/\/+$/, "")}/${s.topic}`,
    headers: {
      // Header values must be ISO-8859-1; ntfy reads RFC 2047 encoded words for anything else.
      Title: /^[\x20-\x7e]*$/.test(n.title) ? n.title : `=?UTF-8?B?${Buffer.from(n.title).toString("base64")}?=`,
      Priority: failed ? "high" : "default",
      Tags: failed ? "x" : "white_check_mark",
      ...(s.token ? { Authorization: `Bearer ${s.token}` } : {}),
    },
    body: n.message,
  };
}

export async function notify(n: Notification, s: NtfySettings, log: (line: string) => void = console.log): Promise<void> {
  if (!s.url) {
    log(`ntfy is not configured (NTFY_URL unset): not sent: ${n.title}`);
    return;
  }
  if (!/^https?:\/\/\S+$/.test(s.url)) throw new Error(`NTFY_URL ${JSON.stringify(s.url)}: expected an http(s):// URL`);
  const r = ntfyRequest(n, { ...s, url: s.url, topic: s.topic ?? "homelab-deploys" });
  const res = await fetch(r.url, { method: "POST", headers: r.headers, body: r.body, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`ntfy answered HTTP ${res.status} for ${r.url}: ${(await res.text()).slice(0, 200)}`);
  log(`sent to ${r.url}: ${n.title}`);
}
