// The verification's pure parts: command lines, version choice, and that
// every custom resource the plans generate has a schema to be checked with.
import * as fs from "fs";
import * as path from "path";
import { kubernetesVersionFor, talosCommands } from "../../verify/checks";
import { backupApiVersions, crdPackages, isBuiltIn, modelModule } from "../../verify/crdModels";
import { planStack } from "../../plan/plan";

describe("talosctl command lines", () => {
  it("generates a config with every patch of the cluster for its Talos minor, then validates both machine types for the platform", () => {
    const cmds = talosCommands("cloud", [{ file: "/o/a.yaml", meta: { talos: "1.13.10", kubernetes: "1.36.3", mode: "cloud" } }, { file: "/o/b.yaml", meta: {} }], "/tmp/t");
    expect(cmds.generate).toEqual([
      "gen", "config", "cloud", "https://cloud.invalid:6443", "--kubernetes-version", "1.36.3", "--talos-version", "v1.13",
      "--with-docs=false", "--with-examples=false", "--output-types", "controlplane,worker", "--output", "/tmp/t", "--force",
      "--config-patch", "@/o/a.yaml", "--config-patch", "@/o/b.yaml",
    ]);
    expect(cmds.validate.map((v) => v.args.join(" "))).toEqual(["validate --mode cloud --config /tmp/t/controlplane.yaml", "validate --mode cloud --config /tmp/t/worker.yaml"]);
  });
});

describe("Kubernetes version of the schemas", () => {
  it("uses the cluster's minor when kubectl-validate has it, else its newest", () => {
    const index = [{ path: "talos/x.yaml", kind: "talos-patch", meta: { kubernetes: "1.36.3" } }];
    expect(kubernetesVersionFor(index, ["1.36", "1.35"])).toBe("1.36");
    expect(kubernetesVersionFor(index, ["1.33", "1.34"])).toBe("1.34");
  });
});

describe("custom resource schemas", () => {
  it("tells built-in API groups from CRDs (Gateway API is a CRD despite its k8s.io group)", () => {
    expect(["v1", "apps/v1", "storage.k8s.io/v1", "policy/v1"].every(isBuiltIn)).toBe(true);
    expect(["gateway.networking.k8s.io/v1", "cert-manager.io/v1", "cilium.io/v2"].some(isBuiltIn)).toBe(false);
    expect(modelModule("cilium.io/v2", "CiliumLoadBalancerIPPool")).toBe("@kubernetes-models/cilium/cilium.io/v2/CiliumLoadBalancerIPPool");
  });

  it("has a pinned schema package for every custom resource the three plans generate", async () => {
    const kinds = new Set<string>();
    for (const stack of ["dev", "prod", "cloud"] as const) {
      for (const a of (await planStack(stack)).artifacts) if (a.kind === "kubernetes-object" && !isBuiltIn(a.meta?.apiVersion ?? "")) kinds.add(`${a.meta?.apiVersion} ${a.meta?.kind}`);
    }
    const pkgJson = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    // Velero's and VolSync's go to tools/backup-crds, which knows exactly these kinds.
    const backupKinds = [...kinds].filter((k) => backupApiVersions.includes(k.split(" ")[0]));
    expect(backupKinds.sort()).toEqual(["velero.io/v1 BackupStorageLocation", "velero.io/v1 Schedule", "volsync.backube/v1alpha1 ReplicationSource"]);
    for (const k of kinds) {
      const [apiVersion, kind] = k.split(" ");
      if (backupApiVersions.includes(apiVersion)) continue;
      const pkg = crdPackages[apiVersion];
      expect([k, pkg && pkgJson.devDependencies[pkg]]).toEqual([k, expect.stringMatching(/^\d+\.\d+\.\d+$/)]);
      const file = path.join(__dirname, "..", "..", "node_modules", pkg, apiVersion, `${kind}.js`);
      expect([k, fs.existsSync(file)]).toEqual([k, true]);
    }
    expect(kinds.size).toBeGreaterThanOrEqual(10);
  });
});
