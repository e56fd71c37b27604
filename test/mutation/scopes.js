/**
 * What mutation testing covers, in scopes: each scope mutates a few files and
 * runs only the tests aimed at them. One run over everything would give each
 * mutant of config/load.ts the whole-program tests to run (seconds each);
 * split, the whole set takes well under an hour on two cores.
 *
 * `static`: also mutate code that runs once when a module loads (Zod schemas
 * are built at load, so config/schema.ts is almost all static). Stryker cannot
 * trace such mutants to single tests and runs the scope's whole test set for
 * each; the schema scope's tests are the config fixtures, a few seconds.
 */
module.exports = {
  policies: {
    // backups.ts has its own scope (its tests are one file; a run of all the rules takes hours).
    mutate: ["policies/rules/*.ts", "!policies/rules/backups.ts"],
    tests: ["test/policies/*.test.ts"],
    // The whole-stack policy test runs every stack; the contract test starts a gRPC server.
    ignore: ["policies/stacks", "analyzerContract"],
    static: false,
  },
  backupPolicies: {
    mutate: ["policies/rules/backups.ts"],
    // Not backupsProgram.test.ts: it runs the whole cloud stack for every mutant it covers.
    tests: ["test/policies/backups.test.ts"],
    static: false,
  },
  // The delivery path's decisions: the promotion gate, what a stack runs, the rollback target, CI's summary, the drift issue, ntfy, Argo CD's health.
  delivery: {
    mutate: ["delivery/gate.ts", "delivery/history.ts", "delivery/rollback.ts", "delivery/summary.ts", "delivery/drift.ts", "delivery/notify.ts", "delivery/applications.ts"],
    tests: ["test/delivery/gate.test.ts", "test/delivery/history.test.ts", "test/delivery/modules.test.ts", "test/delivery/applications.test.ts"],
    static: false,
  },
  // Account provisioning: the dispatch's signature, the initial passwords, who is family, each app's client, the run.
  provisioning: {
    mutate: ["delivery/provision/*.ts", "delivery/provision/apps/*.ts", "components/identity/provisioning.ts"],
    tests: ["test/delivery/provision/*.test.ts"],
    static: false,
  },
  host: {
    mutate: ["components/hypervisor/hostConfig.ts", "components/shell.ts"],
    tests: ["test/components/hostSteps.test.ts", "test/components/hypervisorHost.test.ts", "test/components/shell.test.ts"],
    static: false,
  },
  plan: {
    mutate: ["plan/secrets.ts", "plan/stackFiles.ts"],
    tests: ["test/plan/secrets.test.ts", "test/plan/stackFiles.test.ts", "test/config/invalidConfig.test.ts"],
    static: false,
  },
  config: {
    mutate: ["config/load.ts", "config/net.ts", "config/site.ts"],
    tests: ["test/config/*.test.ts"],
    static: false,
  },
  // The front door's renderers: who each gate admits, what each route and tunnel carries, what Twingate publishes.
  edge: {
    mutate: ["components/service/ssoGate.ts", "components/edge/routes.ts", "components/identity/groups.ts", "components/twingate/model.ts", "components/platform/twingate.ts"],
    tests: ["test/services/ssoGate.test.ts", "test/components/tunnelEdge.test.ts", "test/components/twingateAccess.test.ts"],
    static: false,
  },
  // What the monitoring renders: Alloy's configuration and River quoting, the probes, the dashboards and their checks, ntfy's users, the routing,
  // the management VM's telemetry (its Alloy, the Twingate key step, the usage job) and the Loki ruler's rules.
  monitoring: {
    mutate: [
      "components/monitoring/telemetry.ts",
      "components/monitoring/probes.ts",
      // The renderer and the checks; the dashboards themselves are data that verify parses with promtool.
      "components/monitoring/dashboards.ts:52-79",
      "components/monitoring/dashboards.ts:168-247",
      "components/monitoring/ntfy.ts",
      "components/monitoring/serviceMonitors.ts",
      "components/monitoring/alertmanager.ts",
      "components/monitoring/vmTelemetry.ts",
      "components/monitoring/ociUsage.ts",
      "components/monitoring/logRules.ts",
      "components/monitoring/scrapes.ts",
      // The wiring checks; running the tool is verify's own (it proves those fail on broken files).
      "verify/alloyConfig.ts:37-65",
    ],
    tests: ["test/components/monitoring.test.ts", "test/verify/alloyConfig.test.ts", "test/components/vmTelemetry.test.ts", "test/components/ociUsage.test.ts", "test/components/logRules.test.ts"],
    static: false,
  },
  // The backup, restore and check scripts every backup job runs (the drill runs them for real in verify), and what
  // renders the jobs: the clusters' objects, the host's timers, the management VM's services, the plan's coverage.
  backup: {
    mutate: ["components/backup/restic.ts", "components/backup/kubernetes.ts", "components/backup/store.ts", "components/backup/coverage.ts", "components/backup/vmBackup.ts", "components/hypervisor/hostBackup.ts", "services/library.ts"],
    tests: ["test/backup/restic.test.ts", "test/backup/kubernetes.test.ts", "test/backup/golden.test.ts", "test/services/library.test.ts"],
    static: false,
  },
  // Gaming: the Proxmox access model, the KubeVirt renderers, the memory mode, the start and stop of the VM and of
  // the KubeVirt session.
  gaming: {
    mutate: [
      "components/gaming/access.ts",
      "components/gaming/kubevirt.ts",
      "gaming/memory.ts",
      "gaming/control.ts",
      "gaming/session.ts",
      "gaming/kubevirtApi.ts",
    ],
    tests: [
      "test/components/gamingControl.test.ts",
      "test/gaming/kubevirt.test.ts",
      "test/gaming/memory.test.ts",
      "test/gaming/control.test.ts",
      "test/gaming/session.test.ts",
    ],
    static: false,
  },
  // The Windows answer file: its tests parse it with Python and build the medium with xorriso, seconds per mutant.
  gamingAnswerFile: {
    mutate: ["components/gaming/unattend.ts"],
    tests: ["test/gaming/unattend.test.ts"],
    static: false,
  },
  // The launch page: its tests drive Chromium, seconds per mutant.
  launchPage: {
    mutate: ["gaming/web/page.ts", "gaming/web/server.ts"],
    tests: ["test/gaming/launchPage.test.ts"],
    static: false,
  },
  // The host's idle watcher: its script runs under sh against the Proxmox and ntfy stand-ins for every mutant (slow).
  gamingIdle: {
    mutate: ["components/gaming/idleWatch.ts"],
    tests: ["test/gaming/idleWatch.test.ts"],
    static: false,
  },
  schema: {
    mutate: ["config/schema.ts"],
    tests: ["test/config/invalidConfig.test.ts", "test/config/validConfig.test.ts", "test/plan/stackFiles.test.ts"],
    static: true,
  },
};
