// Every command the README and the runbooks tell a user to type works as
// written: code blocks are typed in order in one shell per file (a stack
// selected stays selected, a config change stays made), inline commands each
// in a fresh one. test/docs/session.ts says how each kind is played.
import { stackKinds } from "../../config/schema";
import { projectRoot } from "../../plan/stackFiles";
import { DocCommand, ShellSyntaxError, commandsInMarkdown, documentedCommands, shellCommands } from "../../verify/docCommands";
import { Session, cliTyped, splitConfigPath } from "./session";

jest.setTimeout(180_000);

const commands = documentedCommands(projectRoot);
const files = [...new Set(commands.map((c) => c.file))];
const at = (c: DocCommand) => `${c.file}:${c.line} \`${c.text}\``;

/** Plays commands in one session; the first failure names the file, line and command. */
async function play(list: DocCommand[], session = new Session()): Promise<void> {
  try {
    for (const c of list) {
      try {
        await session.play(c);
      } catch (err) {
        throw new Error(`${at(c)}: ${(err as Error).message}`);
      }
    }
  } finally {
    session.dispose();
  }
}

/** An inline usage line with `<stack>` stands for one command per stack. */
function expand(c: DocCommand): DocCommand[] {
  const unknown = c.metavariables.filter((v) => v !== "stack");
  if (unknown.length > 0) throw new Error(`${at(c)}: no values known for <${unknown.join(">, <")}>`);
  if (c.metavariables.length === 0) return [c];
  return stackKinds.map((s) => ({ ...c, argv: c.argv.map((w) => w.replace(/<stack>/g, s)), text: c.text.replace(/<stack>/g, s) }));
}

/** One command typed on its own in a fresh shell. */
const one = (line: string, stdin?: string): DocCommand => {
  const [c] = shellCommands(line);
  return { file: "test", line: 1, text: line, argv: c.argv, ...(stdin ?? c.stdin ? { stdin: stdin ?? c.stdin } : {}), source: "block", metavariables: [] };
};
const failureOf = async (lines: string[]): Promise<string> => {
  try {
    await play(lines.map((l) => one(l)));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a documented command to fail");
};

describe("the documentation's commands", () => {
  test("the README, the configuration reference and the runbooks have commands to check", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "docs/configuration.md", "docs/runbooks/first-deploy.md", "docs/runbooks/decommission-a-cluster.md"]));
    expect(commands.filter((c) => c.argv[0] === "pulumi").length).toBeGreaterThan(20);
  });

  test.each(files)("%s: its code blocks, typed in order, work", async (file) => {
    const blocks = commands.filter((c) => c.file === file && c.source === "block");
    // A document that initializes stacks starts from a fresh clone; the others from a machine already set up.
    const fromScratch = blocks.some((c) => c.argv.slice(0, 3).join(" ") === "pulumi stack init");
    await play(blocks, fromScratch ? new Session() : Session.setUp());
  });

  test.each(files)("%s: each command in its prose works on its own, on a machine already set up", async (file) => {
    for (const c of commands.filter((x) => x.file === file && x.source === "inline").flatMap(expand)) await play([c], Session.setUp());
  });
});

describe("the checks can fail", () => {
  test("a dotted key without --path is a flat key the program refuses", async () => {
    expect(await failureOf(["pulumi stack select cloud", "pulumi config set homelab:platform.gitops.hubReady false"])).toMatch(/homelab:platform\.gitops\.hubReady: unknown key/);
  });

  test("with --path the same key is set as a boolean and accepted; a value of the wrong type is refused", async () => {
    await play([one("pulumi stack select cloud"), one("pulumi config set --path homelab:platform.gitops.hubReady false")]);
    expect(await failureOf(["pulumi stack select cloud", "pulumi config set --path homelab:platform.gitops.hubReady no"])).toMatch(/hubReady = "no": expected true or false/);
  });

  test("plain pulumi up skips the policy pack", async () => {
    expect(await failureOf(["pulumi up --stack prod"])).toMatch(/npm run up -- --stack <stack>/);
  });

  test("docker on the management VM must name the project and its services or containers", async () => {
    expect(await failureOf(["sudo docker logs --tail 20 grafana"])).toMatch(/the management VM's containers are .*alloy/);
    expect(await failureOf(["docker compose -f /srv/compose.yaml ps alloy"])).toMatch(/expected -f \/opt\/homelab\/compose.yaml/);
    expect(await failureOf(["sudo docker compose -f /opt/homelab/compose.yaml ps alloy loki"])).toMatch(/ps loki: the project's services are/);
    expect(await failureOf(["sudo docker compose -f /opt/homelab/compose.yaml down"])).toMatch(/only look/);
    await expect(play([one("sudo docker logs --tail 20 alloy"), one("sudo docker compose -f /opt/homelab/compose.yaml ps alloy twingate-client oci-usage")])).resolves.toBeUndefined();
  });

  test("kubectl that changes an object must name one a stack applies", async () => {
    expect(await failureOf(["kubectl -n twingate rollout restart deployment connector-home-c"])).toMatch(/no stack applies a deployment twingate\/connector-home-c/);
    expect(await failureOf(["kubectl -n twingate-client annotate externalsecret connector-home-a force-sync=1 --overwrite"])).toMatch(/no stack applies a externalsecret twingate-client\/connector-home-a/);
    expect(await failureOf(["kubectl -n twingate rollout restart deployment connector-home-a", "kubectl -n twingate scale deployment"])).toMatch(/expected a kind and a name/);
  });

  test("KubeVirt's plugin names what the prod stack with KubeVirt applies, as it applies it", async () => {
    await expect(play([one("kubectl virt start gaming -n gaming"), one("kubectl delete datavolume gaming-system -n gaming")])).resolves.toBeUndefined();
    expect(await failureOf(["kubectl virt start gaming -n default"])).toMatch(/applies no VirtualMachine default\/gaming/);
    expect(await failureOf(["kubectl virt stop windows-golden -n gaming"])).toMatch(/applies no VirtualMachine gaming\/windows-golden/);
    expect(await failureOf(["kubectl virt image-upload dv windows-golden -n gaming --image-path=w.qcow2"])).toMatch(/expected --no-create/);
    expect(await failureOf(["kubectl virt image-upload dv gaming-system -n gaming --no-create --image-path=w.qcow2"])).toMatch(/that DataVolume's source is not an upload/);
    expect(await failureOf(["kubectl virt console gaming -n gaming"])).toMatch(/kubectl virt console: no rule checks it/);
    expect(await failureOf(["kubectl delete datavolume gaming-data -n gaming"])).toMatch(/no stack applies a datavolume gaming\/gaming-data/);
  });

  test("a deploy before the stack's secrets are set stops, as the program would", async () => {
    expect(await failureOf(["pulumi stack init prod", "npm run up -- --stack prod"])).toMatch(/before `pulumi config set --secret proxmoxApiToken`/);
  });

  test("a targeted first deploy of Omni alone is stopped by the engine (providers that need the cluster)", async () => {
    const steps = ["pulumi config set --stack cloud --secret ociPrivateKey", "pulumi config set --stack cloud --secret sshPrivateKey", "pulumi config set --stack cloud --secret bitwardenMachineToken", "pulumi config set --stack cloud --secret bitwardenWriterToken", "pulumi config set --stack cloud --secret cloudflareApiToken", "pulumi config set --stack cloud --secret twingateApiToken", "pulumi config set --stack cloud --secret backupRepositoryPassword", "pulumi config set --stack cloud --secret githubDispatchToken"];
    expect(await failureOf([...steps, "npm run up -- --stack cloud --target 'urn:pulumi:cloud::homelab::homelab:index:OmniServer**'"])).toMatch(
      /depends on 'urn:pulumi:cloud::homelab::homelab:index:TalosCluster\$command:local:Command::cluster-kubeconfig' which was was not specified in --target list/,
    );
    expect(await failureOf([...steps, "npm run up -- --stack cloud --target 'urn:pulumi:cloud::homelab::homelab:index:Nothing**'"])).toMatch(/matches nothing/);
    expect(await failureOf([...steps, "npm run up -- --stack cloud --replace urn:pulumi:cloud::homelab::command:local:Command::nothing"])).toMatch(/no such resource/);
    expect(await failureOf([...steps, "npm run up -- --stack cloud --yolo"])).toMatch(/not a flag this project documents/);
  });

  test("destroying a stack with protected resources stops", async () => {
    expect(await failureOf(["pulumi destroy --stack prod"])).toMatch(/stops on protected resources: .*hypervisor-bridge/);
  });

  test("an import ID written as <node>:vmbr0 is a redirection in a shell", () => {
    expect(() => commandsInMarkdown("```sh\npulumi import proxmoxve:network/linux/bridge:Bridge vmbr0 <node>:vmbr0\n```\n", "x.md")).toThrow(/x\.md:2: '>' is not checked/);
  });

  test("Omni's image must carry the cloud cluster's label and Talos version", async () => {
    expect(await failureOf(["omnictl download oracle --arch arm64 --talos-version 1.13.10 --initial-labels homelab.io/cluster=prod"])).toMatch(/select homelab\.io\/cluster=cloud/);
    expect(await failureOf(["omnictl download oracle --arch arm64 --talos-version 1.12.0 --initial-labels homelab.io/cluster=cloud"])).toMatch(/runs Talos 1\.13\.10/);
    expect(await failureOf(["omnictl download oracle --arch amd64 --talos-version 1.13.10 --initial-labels homelab.io/cluster=cloud"])).toMatch(/--arch arm64/);
    expect(await failureOf(["omnictl delete machineclasses dev-controlplane"])).toMatch(/machine classes are .*dev-control-plane/);
    expect(await failureOf(["omnictl cluster delete staging"])).toMatch(/clusters are dev, prod, cloud|clusters are/);
  });

  test("host commands must name the pool, datasets and units the program makes", async () => {
    expect(await failureOf(["zfs list -t snapshot tank/media/movies"])).toMatch(/media datasets are tank\/media\/films/);
    expect(await failureOf(["zfs rollback tank/media/films@autosnap_2026-11-01_00:00:01_daily"])).toMatch(/only read ZFS state/);
    expect(await failureOf(["zpool status data"])).toMatch(/the pool is tank/);
    expect(await failureOf(["systemctl status sanoid.service"])).toMatch(/enable .*sanoid\.timer/);
  });

  test("restore commands must name the jobs, schedules, CronJobs, files and units the program makes", async () => {
    expect(await failureOf(["restic snapshots --tag vaultwarden-db"])).toMatch(/the backup jobs tag .*cloud-vaultwarden-database/);
    expect(await failureOf(["restic forget --tag cloud-vaultwarden-database --keep-last 1"])).toMatch(/the runbooks only read and restore/);
    expect(await failureOf(["velero restore create --from-schedule nightly"])).toMatch(/the program's schedules are critical-daily/);
    expect(await failureOf(["velero restore create --from-schedule critical-daily --include-namespaces glance"])).toMatch(/no schedule of the program backs it up/);
    expect(await failureOf(["velero backup delete critical-daily"])).toMatch(/create restores/);
    expect(await failureOf(["kubectl create job --from=cronjob/drill-glance drill-now -n backup-drill"])).toMatch(/no stack applies a CronJob backup-drill\/drill-glance/);
    expect(await failureOf(["kubectl apply -f out/cloud/restore/glance-glance-data-restore.yaml"])).toMatch(/not a file `npm run plan` writes/);
    expect(await failureOf(["kubectl delete replicationdestination nope-restore -n vaultwarden"])).toMatch(/no restore object of the plan has that name/);
    expect(await failureOf(["kubectl scale deployment grafana -n vaultwarden --replicas 0"])).toMatch(/no stack applies a deployment vaultwarden\/grafana/);
    expect(await failureOf(["systemctl status homelab-backup-host-nothing.timer"])).toMatch(/homelab-backup-host-critical-local\.timer/);
  });

  test("delivery commands: the CLI's own commands and arguments, git only to fetch tags and check out a promotion, stack history read-only", async () => {
    await expect(play([one("npm run delivery -- gate --commit 5f2c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"), one("npm run delivery -- rollback-target"), one("git fetch --tags"), one("git checkout promoted/20261117T060012Z"), one("pulumi stack history --stack dev"), one("npm run delivery -- initial-password --app navidrome --user bob")])).resolves.toBeUndefined();
    expect(await failureOf(["npm run delivery -- promote"])).toMatch(/expected one of gate, wait-healthy/);
    expect(await failureOf(["npm run delivery -- gate --commit abc"])).toMatch(/expected a full 40-hex-digit commit/);
    expect(await failureOf(["npm run delivery -- rollback-target --now"])).toMatch(/takes no arguments here/);
    expect(await failureOf(["npm run delivery -- notify --title t --message m --status success"])).toMatch(/the workflows run it/);
    expect(await failureOf(["npm run delivery -- provision"])).toMatch(/the workflows run it/);
    await expect(play([one("npm run gaming -- start --stop-dev --timeout-minutes 20"), one("npm run gaming -- status")])).resolves.toBeUndefined();
    expect(await failureOf(["npm run gaming -- start --timeout-minutes 90"])).toMatch(/--timeout-minutes: expected a whole number from 1 to 60/);
    expect(await failureOf(["npm run gaming -- stop --stop-dev"])).toMatch(/stop: unknown --stop-dev; expected no options/);
    expect(await failureOf(["npm run delivery -- initial-password --app nextcloud --user bob"])).toMatch(/--app nextcloud: expected one of navidrome, audiobookshelf, komga/);
    expect(await failureOf(["npm run delivery -- initial-password --app komga"])).toMatch(/--user: expected the account's login/);
    expect(await failureOf(["git checkout promoted/2026-11-17"])).toMatch(/expected a promotion's tag like promoted\/20261117T060012Z/);
    expect(await failureOf(["git push --force"])).toMatch(/only fetches tags/);
    expect(await failureOf(["pulumi stack history --stack staging"])).toMatch(/--stack staging: expected one of dev, prod, cloud/);
  });

  test("unknown scripts, flags, stacks, outputs, keys and programs are refused", async () => {
    expect(await failureOf(["npm run deploy"])).toMatch(/no such script/);
    expect(await failureOf(["npm run plan -- --stak prod"])).toMatch(/unknown option --stak/);
    expect(await failureOf(["npm run plan --stack prod"])).toMatch(/after --/);
    expect(await failureOf(["pulumi stack select staging"])).toMatch(/stacks dev, prod, cloud/);
    expect(await failureOf(["pulumi stack output kubeconfig --stack prod"])).toMatch(/prod exports/);
    expect(await failureOf(["pulumi config set --stack prod --secret cloudflareToken"])).toMatch(/unknown secret/);
    expect(await failureOf(["pulumi config rm --stack cloud --path homelab:oci.images.windows"])).toMatch(/no such key/);
    expect(await failureOf(["pulumi config set --path homelab:cluster.name x"])).toMatch(/no stack selected/);
    expect(await failureOf(["pulumi import a b c"])).toMatch(/no rule checks `pulumi import a`/);
    expect(await failureOf(["terraform apply"])).toMatch(/no rule checks `terraform`/);
  });
});

describe("reading commands out of Markdown", () => {
  test("words, quotes, comments, chains, pipes and stdin", () => {
    expect(shellCommands(`pulumi config set --secret k 'a b!c' "d \\"e\\"" # note`)).toEqual([{ argv: ["pulumi", "config", "set", "--secret", "k", "a b!c", 'd "e"'], text: `pulumi config set --secret k 'a b!c' "d \\"e\\""` }]);
    expect(shellCommands("a x && b < f.pem; c | d || e").map((c) => [c.argv, c.stdin])).toEqual([[["a", "x"], undefined], [["b"], "f.pem"], [["c"], undefined], [["d"], undefined], [["e"], undefined]]);
    expect(shellCommands("echo a#b")[0].argv).toEqual(["echo", "a#b"]);
    expect(() => shellCommands("echo 'open")).toThrow(ShellSyntaxError);
    expect(() => shellCommands('echo "$HOME"')).toThrow(/expansion/);
    expect(() => shellCommands("echo > f")).toThrow(/'>'/);
    expect(() => shellCommands("cat <")).toThrow(/without a file/);
  });

  test("shell blocks line by line with continuations, other blocks skipped, inline commands with metavariables", () => {
    const md = ["Run `npm run up -- --stack <stack>` or `omnictl` alone.", "```sh", "pulumi stack select dev \\", "  --non-interactive", "npm test  # all", "```", "```yaml", "pulumi: not a command", "```", "  ```bash", "  zpool status tank", "  ```"].join("\n");
    const found = commandsInMarkdown(md, "f.md").map((c) => [c.line, c.source, c.argv.join(" "), c.metavariables]);
    expect(found).toEqual([
      [1, "inline", "npm run up -- --stack <stack>", ["stack"]],
      [3, "block", "pulumi stack select dev --non-interactive", []],
      [5, "block", "npm test", []],
      [11, "block", "zpool status tank", []],
    ]);
    expect(() => commandsInMarkdown("```sh\nnpm test\n", "g.md")).toThrow(/g\.md: a code block is not closed/);
  });

  test("config paths and values are read as `pulumi config set --path` reads them", () => {
    expect(splitConfigPath('homelab:cluster.nodes[0]["memory.gb"]')).toEqual(["homelab:cluster", "nodes", 0, "memory.gb"]);
    expect(() => splitConfigPath("homelab:a..b")).toThrow();
    expect([cliTyped("true"), cliTyped("false"), cliTyped("16"), cliTyped("-3"), cliTyped("016"), cliTyped("1.5"), cliTyped("True")]).toEqual([true, false, 16, -3, "016", "1.5", "True"]);
  });
});
