// `npm run delivery -- <command>`: what the workflows in .github/workflows
// run between the README's commands, one place for all of it.
//
//   gate --commit <sha> [--history f] [--prometheus url]   may this commit go to PROD? (exit 0 open, 1 closed)
//   wait-healthy --cluster <name> [--timeout-minutes n]    every Argo CD Application of the cluster Synced and Healthy
//   rollback-target [--history f]                          the promoted tag to redeploy (from git tags and PROD's history)
//   deployed --stack <stack> [--history f]                 the commit the stack runs (exit 1 when not known)
//   tag-name promoted|rolled-back                          the tag for a promotion or rollback made now
//   notify --title t --message m --status s                the result to ntfy (NTFY_URL, NTFY_TOPIC, NTFY_TOKEN)
//   images                                                 every pinned image, as a JSON list (the Trivy matrix)
//   summary                                                the CI job summary from NEEDS_JSON (exit 1 when a job failed)
//   provision                                              create the family's missing app accounts (provision.yml; exit 1 when refused or failed)
//   initial-password --app <name> --user <login>           the password a provisioned account started with (PROVISIONING_PASSWORD_KEY)
import { spawnSync } from "child_process";
import { inClusterAccess, listApplications, waitHealthy } from "./applications";
import { parseGateArgs, runGate, stackHistory } from "./gateCommand";
import { currentDeployment, parseHistory } from "./history";
import { pinnedImages } from "./images";
import { notify } from "./notify";
import { stackKinds } from "../config/schema";
import { parseTags, promotedPrefix, rollbackTarget, rolledBackPrefix, tagName } from "./rollback";
import { ciSummary } from "./summary";
import { initialPasswordCommand, provisionFromEnvironment } from "./provision/command";
import { UsageError, option } from "./usage";
import { projectRoot } from "../plan/stackFiles";

export const commands = ["gate", "wait-healthy", "deployed", "rollback-target", "tag-name", "notify", "images", "summary", "provision", "initial-password"] as const;

/** Runs one command; its exit code. Output goes to `out` (stdout) and `err` (stderr). */
export async function runDelivery(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "gate":
      return runGate(parseGateArgs(rest));
    case "wait-healthy": {
      const cluster = option(rest, "--cluster");
      if (!cluster || !/^[a-z0-9-]+$/.test(cluster)) throw new UsageError(`--cluster ${cluster ?? "(missing)"}: expected a cluster name like dev`);
      const minutes = Number(option(rest, "--timeout-minutes") ?? "20");
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) throw new UsageError("--timeout-minutes: expected a whole number from 1 to 120");
      const api = inClusterAccess();
      const verdict = await waitHealthy(() => listApplications(api, cluster), minutes * 60_000);
      if (verdict.healthy) out(`every Argo CD Application of ${cluster} is Synced and Healthy`);
      else err(`not healthy after ${minutes} min:\n  ${verdict.waiting.join("\n  ")}`);
      return verdict.healthy ? 0 : 1;
    }
    case "deployed": {
      const stack = option(rest, "--stack");
      if (!stack || !(stackKinds as readonly string[]).includes(stack)) throw new UsageError(`--stack ${stack ?? "(missing)"}: expected one of ${stackKinds.join(", ")}`);
      const d = currentDeployment(parseHistory(stackHistory(stack, option(rest, "--history"))));
      if (!d.deployment) {
        err(`${stack}: no known commit: ${d.reason}`);
        return 1;
      }
      out(d.deployment.commit);
      return 0;
    }
    case "notify": {
      const [title, message, status] = ["--title", "--message", "--status"].map((f) => option(rest, f));
      if (!title || !message || !status) throw new UsageError("notify: expected --title, --message and --status");
      await notify({ title, message, status }, { url: process.env.NTFY_URL, topic: process.env.NTFY_TOPIC || undefined, token: process.env.NTFY_TOKEN || undefined }, out);
      return 0;
    }
    case "rollback-target": {
      const tags = spawnSync("git", ["tag", "--list", `${promotedPrefix}*`, `${rolledBackPrefix}*`, "--format=%(refname:strip=2) %(objectname)"], { cwd: projectRoot, encoding: "utf8" });
      if (tags.status !== 0) throw new Error(`git tag --list: ${tags.stderr.trim()}`);
      const prod = currentDeployment(parseHistory(stackHistory("prod", option(rest, "--history"))));
      const target = rollbackTarget(parseTags(tags.stdout), prod.deployment?.commit);
      if (!target.tag) {
        err(`no rollback target: ${target.reason}`);
        return 1;
      }
      out(target.tag.name);
      return 0;
    }
    case "tag-name": {
      const kind = rest[0];
      if (kind !== "promoted" && kind !== "rolled-back") throw new UsageError(`tag-name ${kind ?? "(missing)"}: expected promoted or rolled-back`);
      out(tagName(kind === "promoted" ? promotedPrefix : rolledBackPrefix, new Date()));
      return 0;
    }
    case "images":
      out(JSON.stringify(pinnedImages()));
      return 0;
    case "summary": {
      const s = ciSummary(process.env.NEEDS_JSON ?? "");
      out(s.markdown);
      return s.ok ? 0 : 1;
    }
    case "provision": {
      const report = await provisionFromEnvironment(process.env);
      out(report.lines.join("\n"));
      return report.ok ? 0 : 1;
    }
    case "initial-password":
      out(initialPasswordCommand(rest, process.env));
      return 0;
    default:
      throw new UsageError(`${command ?? "(no command)"}: expected one of ${commands.join(", ")}`);
  }
}

if (require.main === module) {
  runDelivery(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`npm run delivery: ${e instanceof Error ? e.message : e}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
