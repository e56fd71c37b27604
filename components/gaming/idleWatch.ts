// The gaming VM's idle watcher on the Proxmox host: a timer runs a script
// every minute that asks the host's own API (the `idle` token) whether the
// VM streams (its network output, counted by Proxmox) or plays (the GPU's
// load, read by nvidia-smi in the guest through the guest agent). After
// `minutes` of neither it shuts the VM down cleanly and says so on ntfy.
// Pure renderers: the script, its settings file and its systemd units.
import { shellQuote as q } from "../shell";
import { installFile, header, textfileDir } from "../hypervisor/hostConfig";
import { homelabMetrics } from "../monitoring/metrics";

export interface IdleSettings {
  /** Minutes without a stream and with the GPU idle before the VM is shut down. */
  minutes: number;
  /** GPU utilization (%) below which the GPU counts as idle. */
  gpuPercent: number;
  /** The VM's network output (kbit/s) above which a stream is running: Moonlight at 720p uses a few Mbit/s. */
  streamKbps: number;
}

export interface IdleWatchTarget {
  /** The API base the script calls, e.g. https://127.0.0.1:8006/api2/json. */
  api: string;
  node: string;
  vmId: number;
  /** ntfy's publish URL of the gaming topic. */
  ntfyUrl: string;
}

export interface IdleSecrets {
  /** <user>@<realm>!idle=<secret> */
  pveToken: string;
  ntfyToken: string;
}

export const idleWatch = {
  script: "/etc/homelab/gaming-idle.sh",
  settings: "/etc/homelab/gaming-idle.env",
  state: "/var/lib/homelab/gaming-idle.state",
  unit: "homelab-gaming-idle",
} as const;

/** Where the guest's nvidia-smi lives (the NVIDIA driver installs it into System32). */
export const nvidiaSmi = "C:\\Windows\\System32\\nvidia-smi.exe";

/**
 * The settings file the script sources: every value shell-quoted. It holds
 * the two tokens, so it is written from standard input, mode 0600.
 */
export function idleSettingsFile(t: IdleWatchTarget, s: IdleSettings, secrets: IdleSecrets, statePath: string = idleWatch.state, metricsDir: string = textfileDir): string {
  const lines: [string, string | number][] = [
    ["PVE_API", t.api],
    ["PVE_NODE", t.node],
    ["PVE_TOKEN", secrets.pveToken],
    ["GAMING_VMID", t.vmId],
    ["IDLE_MINUTES", s.minutes],
    ["GPU_IDLE_PERCENT", s.gpuPercent],
    ["STREAM_KBPS", s.streamKbps],
    ["NTFY_URL", t.ntfyUrl],
    ["NTFY_TOKEN", secrets.ntfyToken],
    ["STATE_FILE", statePath],
    ["TEXTFILE_DIR", metricsDir],
  ];
  return `# Managed by homelab (Pulumi): the gaming VM's idle watcher\n${lines.map(([k, v]) => `${k}=${q(v)}`).join("\n")}\n`;
}

/**
 * The watcher. State between runs (one line): the last sample's time and
 * the VM's network output counter, and since when it has been idle ("-"
 * while in use). The first sample after a start, or after the counter went
 * back, only records: no rate, no verdict. A GPU whose load cannot be read
 * (agent down, driver missing) counts as idle; the network still shows a
 * stream. Exits non-zero when the API refuses, so the unit shows failed.
 */
export function idleWatchScript(): string {
  return [
    "#!/bin/sh",
    "# Managed by homelab (Pulumi): shuts the gaming VM down after IDLE_MINUTES without a stream and with its GPU idle.",
    "set -eu",
    '. "$1"',
    "",
    "# The host's own API on loopback: the request never leaves the host, and the node's",
    "# certificate (the admin's own, e.g. ACME) need not name 127.0.0.1.",
    "api() {",
    '  method=$1 path=$2; shift 2',
    '  curl -fsS --insecure --max-time 20 -X "$method" -H "Authorization: PVEAPIToken=$PVE_TOKEN" "$@" "$PVE_API/nodes/$PVE_NODE/qemu/$GAMING_VMID$path"',
    "}",
    "notify() {",
    '  curl -fsS --max-time 20 -H "Authorization: Bearer $NTFY_TOKEN" -H "Title: $1" -H "Tags: video_game" --data-binary "$2" "$NTFY_URL" >/dev/null || echo "ntfy: not sent: $1" >&2',
    "}",
    "",
    "# For node_exporter's textfile collector: when it last looked, and how long the VM has been idle (alerts.ts reads them).",
    "metrics() {",
    '  tmp=$(mktemp "$TEXTFILE_DIR/.homelab_gaming.XXXXXX")',
    "  {",
    `    echo '# TYPE ${homelabMetrics.gamingIdleWatchLastRun} gauge'`,
    `    echo "${homelabMetrics.gamingIdleWatchLastRun} $now"`,
    `    echo '# TYPE ${homelabMetrics.gamingIdleMinutes} gauge'`,
    `    echo "${homelabMetrics.gamingIdleMinutes} $1"`,
    `    echo '# TYPE ${homelabMetrics.gamingIdleLimitMinutes} gauge'`,
    `    echo "${homelabMetrics.gamingIdleLimitMinutes} $IDLE_MINUTES"`,
    '  } > "$tmp"',
    '  chmod 0644 "$tmp"',
    '  mv "$tmp" "$TEXTFILE_DIR/homelab_gaming.prom"',
    "}",
    "",
    "now=$(date +%s)",
    "current=$(api GET /status/current)",
    `status=$(printf '%s' "$current" | jq -r '.data.status')`,
    `netout=$(printf '%s' "$current" | jq -r '.data.netout // 0 | floor')`,
    'if [ "$status" != running ]; then rm -f "$STATE_FILE"; metrics 0; echo "gaming VM $GAMING_VMID is $status"; exit 0; fi',
    "",
    "prev_time='' prev_out='' idle_since=-",
    'if [ -f "$STATE_FILE" ]; then read -r prev_time prev_out idle_since < "$STATE_FILE" || true; fi',
    "",
    "# GPU load through the guest agent: run nvidia-smi, then collect its output.",
    "gpu=''",
    `body=$(jq -cn --arg smi ${q(nvidiaSmi)} '{command: [$smi, "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]}')`,
    `if pid=$(api POST /agent/exec -H 'Content-Type: application/json' --data-binary "$body" 2>/dev/null | jq -er '.data.pid'); then`,
    "  tries=0",
    '  while [ "$tries" -lt 10 ]; do',
    `    result=$(api GET "/agent/exec-status?pid=$pid" 2>/dev/null) || break`,
    `    if [ "$(printf '%s' "$result" | jq -r '.data.exited')" = 1 ]; then`,
    `      gpu=$(printf '%s' "$result" | jq -r 'if .data.exitcode == 0 then (.data["out-data"] // "") else "" end' | tr -d '\\r' | sort -n | tail -n 1)`,
    "      break",
    "    fi",
    "    tries=$((tries + 1)); sleep 1",
    "  done",
    "fi",
    "case $gpu in ''|*[!0-9]*) gpu_note='GPU load unknown'; gpu_busy=0 ;; *) gpu_note=\"GPU $gpu %\"; gpu_busy=$(( gpu >= GPU_IDLE_PERCENT )) ;; esac",
    "",
    'if [ -z "$prev_time" ] || [ "$now" -le "$prev_time" ] || [ "$netout" -lt "$prev_out" ]; then',
    '  echo "$now $netout -" > "$STATE_FILE"',
    "  metrics 0",
    '  echo "first sample since start: $gpu_note"',
    "  exit 0",
    "fi",
    "kbps=$(( (netout - prev_out) * 8 / 1000 / (now - prev_time) ))",
    'if [ "$kbps" -ge "$STREAM_KBPS" ] || [ "$gpu_busy" = 1 ]; then',
    '  echo "$now $netout -" > "$STATE_FILE"',
    "  metrics 0",
    '  echo "in use: stream $kbps kbit/s, $gpu_note"',
    "  exit 0",
    "fi",
    '[ "$idle_since" = - ] && idle_since=$now',
    "idle=$(( (now - idle_since) / 60 ))",
    'if [ "$idle" -lt "$IDLE_MINUTES" ]; then',
    '  echo "$now $netout $idle_since" > "$STATE_FILE"',
    '  metrics "$idle"',
    '  echo "idle $idle of $IDLE_MINUTES minutes: stream $kbps kbit/s, $gpu_note"',
    "  exit 0",
    "fi",
    'api POST /status/shutdown >/dev/null',
    'rm -f "$STATE_FILE"',
    'metrics "$idle"',
    'echo "shut down after $idle minutes idle: stream $kbps kbit/s, $gpu_note"',
    'notify "Gaming VM shut down" "Nobody streamed and the GPU stayed idle for $idle minutes, so the gaming VM was shut down. Start it again with the launch page or npm run gaming -- start."',
    "",
  ].join("\n");
}

export function idleWatchUnits(): { service: string; timer: string } {
  return {
    service: [
      "# Managed by homelab (Pulumi)",
      "[Unit]",
      "Description=Shut the gaming VM down when nobody plays (homelab)",
      "After=pve-cluster.service pveproxy.service",
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=/bin/sh ${idleWatch.script} ${idleWatch.settings}`,
      "",
    ].join("\n"),
    timer: [
      "# Managed by homelab (Pulumi)",
      "[Unit]",
      "Description=Look at the gaming VM every minute (homelab)",
      "",
      "[Timer]",
      "OnBootSec=2min",
      "OnUnitActiveSec=1min",
      "",
      "[Install]",
      "WantedBy=timers.target",
      "",
    ].join("\n"),
  };
}

/**
 * The host step that installs it: jq from Debian (curl ships with Proxmox),
 * the script and units, and the settings from standard input (they hold the
 * tokens), then the timer enabled. Idempotent; prints CHANGED like the
 * host's other steps.
 */
export function idleWatchStep(): string {
  const units = idleWatchUnits();
  return [
    header,
    `command -v jq >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y jq >/dev/null; echo CHANGED jq; }`,
    `install -d -m 0700 ${q("/var/lib/homelab")}`,
    `install -d -m 0755 ${q(textfileDir)}`,
    installFile(idleWatch.script, idleWatchScript(), "0755"),
    installFile(`/etc/systemd/system/${idleWatch.unit}.service`, units.service),
    installFile(`/etc/systemd/system/${idleWatch.unit}.timer`, units.timer),
    `settings=$(mktemp)`,
    `cat > "$settings"`,
    `if ! cmp -s "$settings" ${q(idleWatch.settings)}; then install -D -m 0600 "$settings" ${q(idleWatch.settings)}; echo ${q(`CHANGED ${idleWatch.settings}`)}; fi`,
    `rm -f "$settings"`,
    `if [ "$changed" = 1 ]; then systemctl daemon-reload; fi`,
    `systemctl enable --now ${q(`${idleWatch.unit}.timer`)} >/dev/null`,
  ].join("\n");
}

/** What removing the control runs on the host: the timer stopped, the watcher's files and state gone. */
export function idleWatchRemoval(): string {
  const files = [idleWatch.script, idleWatch.settings, idleWatch.state, `/etc/systemd/system/${idleWatch.unit}.service`, `/etc/systemd/system/${idleWatch.unit}.timer`];
  return ["set -eu", `systemctl disable --now ${q(`${idleWatch.unit}.timer`)} >/dev/null 2>&1 || true`, `rm -f ${files.map(q).join(" ")}`, "systemctl daemon-reload"].join("\n");
}
