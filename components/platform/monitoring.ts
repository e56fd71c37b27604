// What the monitoring chart cannot bring itself: its namespace (privileged:
// the node exporter reads the host's /proc and /sys), created before Argo CD
// syncs the chart, and Alertmanager's notification tokens from Bitwarden,
// mounted where the routing reads them (components/monitoring/alertmanager.ts).
import { notifySecret } from "../monitoring/alertmanager";
import { monitoringNamespace } from "../monitoring/metrics";
import { Manifest, namespace } from "./context";
import { externalSecret } from "./externalSecrets";

/** Bitwarden secrets the admin creates: the Telegram bot's token and ntfy's publisher token for Alertmanager. */
export const alertmanagerBitwarden = { telegram: "telegram-bot-token", ntfy: "ntfy-alertmanager-token" } as const;

export function alertmanagerSecretManifests(): Manifest[] {
  return [
    namespace(monitoringNamespace, "privileged"),
    externalSecret(notifySecret.name, monitoringNamespace, [
      { key: notifySecret.telegramKey, bitwardenId: alertmanagerBitwarden.telegram },
      { key: notifySecret.ntfyKey, bitwardenId: alertmanagerBitwarden.ntfy },
    ]),
  ];
}
