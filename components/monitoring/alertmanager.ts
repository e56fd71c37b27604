// Where alerts go (FR-021). Critical: at once, one notification per alert,
// to Telegram and to ntfy's critical topic (a phone rings for either). A
// warning: into the day's digest, one ntfy message per cluster that gathers
// what fired in the same minute, then at most one update every four hours and
// a reminder a day while it lasts. Kube-prometheus-stack's always-firing
// Watchdog goes nowhere. Pure: the prod cluster's Alertmanager gets this
// document, and amtool and the end-to-end check read the same one.
import type { Severity } from "./alerts";
import { ntfyPort, ntfyTopics } from "./ntfy";

export interface AlertRouting {
  ntfy: {
    /** ntfy's base URL as Alertmanager reaches it. */
    url: string;
    /** File holding the publisher's access token (mounted from a Secret). */
    tokenFile: string;
    topics: { critical: string; digest: string };
  };
  telegram: {
    /** Telegram's API, https://api.telegram.org unless a stand-in answers. */
    apiUrl: string;
    botTokenFile: string;
    chatId: number;
  };
}

export const receivers = { critical: "critical", digest: "digest", nowhere: "nowhere" } as const;

/** The stack whose alerts only ever reach the digest (its Alloy labels what it sends with stack="dev"). */
export const devStack = "dev";

/** Which receiver a severity reaches (the plan's alert table). */
export const receiverOf = (s: Severity): string => (s === "critical" ? `${receivers.critical} (Telegram + ntfy, at once)` : `${receivers.digest} (ntfy digest)`);

/** Timings, chosen and written down (docs/runbooks/alerts.md). */
export const timings = {
  critical: { groupWait: "10s", groupInterval: "5m", repeatInterval: "4h" },
  digest: { groupWait: "1m", groupInterval: "4h", repeatInterval: "24h" },
} as const;

/**
 * The notification secrets the prod cluster's Alertmanager mounts at
 * /etc/alertmanager/secrets/<name>/ (alertmanagerSpec.secrets): the Telegram
 * bot's token from Bitwarden, and ntfy's publisher token, which the stack
 * generates with ntfy's users (components/NtfyCredentials.ts).
 */
export const notifySecret = { name: "alertmanager-notify", telegramKey: "telegram-bot-token" } as const;
export const ntfyTokenSecret = { name: "alertmanager-ntfy", key: "token" } as const;
const mounted = (secret: string, key: string) => `/etc/alertmanager/secrets/${secret}/${key}`;

/** The prod cluster's routing: ntfy in its namespace, Telegram's real API. */
export function clusterRouting(telegramChatId: number): AlertRouting {
  return {
    ntfy: { url: `http://ntfy.ntfy.svc.cluster.local:${ntfyPort}`, tokenFile: mounted(ntfyTokenSecret.name, ntfyTokenSecret.key), topics: ntfyTopics },
    telegram: { apiUrl: "https://api.telegram.org", botTokenFile: mounted(notifySecret.name, notifySecret.telegramKey), chatId: telegramChatId },
  };
}

/** ntfy's built-in reader of Alertmanager's webhook, on a topic, with a priority (5 rings through do-not-disturb). */
function ntfyWebhook(r: AlertRouting["ntfy"], topic: string, priority: number): Record<string, unknown> {
  const url = new URL(`${r.url.replace(/\/$/, "")}/${encodeURIComponent(topic)}`);
  url.searchParams.set("template", "alertmanager");
  url.searchParams.set("priority", String(priority));
  return { url: url.toString(), send_resolved: true, http_config: { authorization: { type: "Bearer", credentials_file: r.tokenFile } } };
}

export function alertmanagerConfig(r: AlertRouting): Record<string, unknown> {
  if (!Number.isSafeInteger(r.telegram.chatId) || r.telegram.chatId === 0) throw new Error(`alertmanagerConfig: telegram.chatId ${r.telegram.chatId}: expected a Telegram chat ID (a non-zero whole number)`);
  return {
    route: {
      receiver: receivers.digest,
      // The digest: every warning of a cluster in one message.
      group_by: ["cluster"],
      group_wait: timings.digest.groupWait,
      group_interval: timings.digest.groupInterval,
      repeat_interval: timings.digest.repeatInterval,
      routes: [
        { receiver: receivers.nowhere, matchers: ['alertname="Watchdog"'] },
        // Dev is where changes are tried: whatever breaks there waits for the digest, never rings a phone.
        { receiver: receivers.digest, matchers: [`stack="${devStack}"`] },
        {
          receiver: receivers.critical,
          matchers: ['severity="critical"'],
          // Each critical alert on its own: no waiting for others to batch with.
          group_by: ["..."],
          group_wait: timings.critical.groupWait,
          group_interval: timings.critical.groupInterval,
          repeat_interval: timings.critical.repeatInterval,
        },
      ],
    },
    // A full filesystem says more than an almost full one.
    inhibit_rules: [{ source_matchers: ['alertname="FilesystemFull"'], target_matchers: ['alertname="FilesystemAlmostFull"'], equal: ["instance", "mountpoint"] }],
    receivers: [
      {
        name: receivers.critical,
        telegram_configs: [{ api_url: r.telegram.apiUrl, bot_token_file: r.telegram.botTokenFile, chat_id: r.telegram.chatId, parse_mode: "HTML", send_resolved: true }],
        webhook_configs: [ntfyWebhook(r.ntfy, r.ntfy.topics.critical, 5)],
      },
      { name: receivers.digest, webhook_configs: [ntfyWebhook(r.ntfy, r.ntfy.topics.digest, 3)] },
      { name: receivers.nowhere },
    ],
  };
}
