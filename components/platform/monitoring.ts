// What the monitoring charts cannot bring themselves, created before Argo CD
// syncs them: the monitoring namespace (privileged on prod, where the node
// exporter reads the host's /proc and /sys; restricted elsewhere, where only
// Alloy runs), Alertmanager's notification tokens from Bitwarden, mounted
// where the routing reads them (components/monitoring/alertmanager.ts), and
// prod's telemetry address on the LAN.
import { notifySecret } from "../monitoring/alertmanager";
import { monitoringNamespace } from "../monitoring/metrics";
import { TelemetryRole, telemetryService } from "../monitoring/telemetry";
import { Manifest, namespace } from "./context";
import { externalSecret } from "./externalSecrets";

/** Bitwarden secrets the admin creates: the Telegram bot's token and ntfy's publisher token for Alertmanager. */
export const alertmanagerBitwarden = { telegram: "telegram-bot-token", ntfy: "ntfy-alertmanager-token" } as const;

export function monitoringManifests(args: { alerting: boolean; telemetry: TelemetryRole }): Manifest[] {
  return [
    namespace(monitoringNamespace, args.alerting ? "privileged" : "restricted"),
    ...(args.alerting
      ? [
          externalSecret(notifySecret.name, monitoringNamespace, [
            { key: notifySecret.telegramKey, bitwardenId: alertmanagerBitwarden.telegram },
            { key: notifySecret.ntfyKey, bitwardenId: alertmanagerBitwarden.ntfy },
          ]),
        ]
      : []),
    ...(args.telemetry.role === "receiver" ? [telemetryService(args.telemetry.address)] : []),
  ];
}
