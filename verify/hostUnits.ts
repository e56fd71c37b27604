// The host's backup timers (components/hypervisor/hostBackup.ts), its
// gaming idle watcher (components/gaming/idleWatch.ts) and the management
// VM's backup (components/backup/vmBackup.ts), rendered for the
// committed configs and read by systemd's own parser
// (`systemd-analyze verify`: every setting, the calendar expressions, the
// commands' executables), their scripts by sh or bash. Shown failing on a timer
// whose calendar cannot be parsed and a service whose command does not exist.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HostBackupPlan, hostJobs, jobFiles } from "../components/hypervisor/hostBackup";
import { StoreLocation } from "../components/backup/store";
import { omniBackupUnit, omniBackupUnits, omniStoppedScript } from "../components/backup/vmBackup";
import { idleWatch, idleWatchScript, idleWatchUnits } from "../components/gaming/idleWatch";

export interface UnitResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

const oneLine = (s: string, max = 240) => s.replace(/\s+/g, " ").trim().slice(0, max);

function analyze(files: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync("systemd-analyze", ["verify", ...files.map((f) => `./${path.basename(f)}`)], { cwd, encoding: "utf8", timeout: 60_000 });
  return { ok: r.status === 0 && !/\bignoring\b/i.test(r.stderr ?? ""), output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error?.message ?? ""}` };
}

/** The host's timers (prod) and the management VM's Omni copy, each unit and script as the program renders them. */
export function hostUnitChecks(plan: HostBackupPlan, vmStore: StoreLocation): UnitResult[] {
  const vmUnits = omniBackupUnits();
  const idleUnits = idleWatchUnits();
  const files = [
    ...hostJobs(plan).flatMap((j) => jobFiles(plan, j)),
    { path: `/etc/systemd/system/${idleWatch.unit}.service`, content: idleUnits.service },
    { path: `/etc/systemd/system/${idleWatch.unit}.timer`, content: idleUnits.timer },
    { path: idleWatch.script, content: idleWatchScript() },
    { path: `/etc/systemd/system/${omniBackupUnit}.service`, content: vmUnits.service },
    { path: `/etc/systemd/system/${omniBackupUnit}.timer`, content: vmUnits.timer },
    { path: "/opt/homelab/backup/omni-stopped.sh", content: omniStoppedScript(vmStore) },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-units-"));
  const results: UnitResult[] = [];
  try {
    const units: string[] = [];
    {
      for (const f of files) {
        const file = path.join(dir, path.basename(f.path));
        fs.writeFileSync(file, f.content);
        if (/\.(service|timer)$/.test(file)) units.push(file);
        if (file.endsWith(".sh")) {
          const shell = f.content.startsWith("#!/bin/sh") ? "sh" : "bash";
          const r = spawnSync(shell, ["-n", file], { encoding: "utf8" });
          results.push({ tool: `${shell} -n`, artifact: `host script ${path.basename(file)}`, ok: r.status === 0, message: r.status === 0 ? "ok" : oneLine(r.stderr) });
        }
      }
    }
    const all = analyze(units, dir);
    results.push({ tool: "systemd-analyze", artifact: `timers of the host and the management VM (${units.map((u) => path.basename(u)).join(", ")})`, ok: all.ok && units.length > 0, message: all.ok ? `${units.length} units ok` : oneLine(all.output) });

    const reject = (artifact: string, name: string, content: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      const r = analyze([file], dir);
      results.push({ tool: "systemd-analyze", artifact, ok: !r.ok, message: r.ok ? "accepted a broken unit: this check cannot fail" : `rejected as expected: ${oneLine(r.output, 160)}` });
    };
    const [timer] = units.filter((u) => u.endsWith(".timer"));
    const [service] = units.filter((u) => u.endsWith(".service"));
    reject("a timer whose calendar cannot be parsed", "broken-calendar.timer", fs.readFileSync(timer, "utf8").replace(/^OnCalendar=.*$/m, "OnCalendar=*-*-* 25:00:00 UTC"));
    reject("a service whose command does not exist", "broken-command.service", fs.readFileSync(service, "utf8").replace(/^ExecStart=\/bin\/bash /m, "ExecStart=/bin/no-such-shell "));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
