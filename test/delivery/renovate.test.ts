// Renovate's rules find every pin: each custom manager's patterns are run
// over the files it names (Renovate's regex manager, as JavaScript regular
// expressions: the patterns use nothing RE2 and JavaScript read differently)
// and must yield each pinned image, chart and release exactly once.
import * as fs from "fs";
import * as path from "path";
import { backupImages, charts, gamingGuest, gatewayApi, gitCharts, imageString, images, kubevirtReleases, monitoringReleases, resticVersion, serviceCharts, serviceImages } from "../../config/versions";

const root = path.join(__dirname, "..", "..");
interface Manager {
  description: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
  datasourceTemplate: string;
}
const config = JSON.parse(fs.readFileSync(path.join(root, "renovate.json"), "utf8")) as { customManagers: Manager[]; extends: string[] };
const candidates = ["config/versions.ts", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.cloud.yaml", ".pulumi.version", "tools/.go-version", "package.json"];

interface Found {
  manager: string;
  file: string;
  datasource: string;
  depName: string;
  currentValue: string;
  currentDigest?: string;
  registryUrl?: string;
}

/** Renders the `{{{group}}}` templates the config uses. */
const render = (template: string, groups: Record<string, string | undefined>) => template.replace(/\{\{\{(\w+)\}\}\}/g, (_, g: string) => groups[g] ?? "");

function extract(): Found[] {
  const found: Found[] = [];
  for (const m of config.customManagers) {
    const patterns = m.managerFilePatterns.map((p) => new RegExp(p.slice(1, -1)));
    for (const file of candidates.filter((f) => patterns.some((p) => p.test(f)))) {
      const text = fs.readFileSync(path.join(root, file), "utf8");
      for (const s of m.matchStrings) {
        for (const match of text.matchAll(new RegExp(s, "gm"))) {
          const g = match.groups ?? {};
          found.push({ manager: m.description, file, datasource: m.datasourceTemplate, depName: m.depNameTemplate ? render(m.depNameTemplate, g) : g.depName!, currentValue: g.currentValue!, currentDigest: g.currentDigest, registryUrl: g.registryUrl });
        }
      }
    }
  }
  return found;
}

const found = extract();
const count = (pred: (f: Found) => boolean) => found.filter(pred).length;

describe("Renovate's rules", () => {
  it("every custom manager finds something (a pattern that matches nothing is a pin nobody updates)", () => {
    for (const m of config.customManagers) expect([m.description, found.filter((f) => f.manager === m.description).length > 0]).toEqual([m.description, true]);
  });

  it("find each pinned image once, with its digest where one is pinned", () => {
    const asFound = found.filter((f) => f.datasource === "docker" && !f.manager.includes("chart")).map((f) => `${f.depName}:${f.currentValue}${f.currentDigest ? `@${f.currentDigest}` : ""}`);
    const pinned = [...Object.values(images), ...[...Object.values(backupImages), ...Object.values(serviceImages)].map(imageString)];
    expect(asFound.sort()).toEqual(pinned.sort());
  });

  it("find each chart once, from its repository", () => {
    const all = [...Object.values(charts), ...Object.values(serviceCharts)];
    for (const c of all) {
      const oci = "oci" in c && c.oci;
      const hits = found.filter((f) => (oci ? f.depName === `${c.repo}/${c.chart}` && f.datasource === "docker" : f.depName === c.chart && f.registryUrl === c.repo && f.datasource === "helm"));
      expect([c.chart, hits.map((h) => h.currentValue)]).toEqual([c.chart, [c.version]]);
    }
    expect(count((f) => f.datasource === "helm") + count((f) => f.manager.includes("OCI registries"))).toBe(all.length);
  });

  it("find the git-published chart, Gateway API, restic, Prometheus, Alertmanager, Sunshine, KubeVirt and CDI releases", () => {
    const gh = (dep: string) => found.filter((f) => f.datasource === "github-releases" && f.depName === dep && f.file === "config/versions.ts").map((f) => f.currentValue);
    expect(gh("rancher/local-path-provisioner")).toEqual([gitCharts.localPath.version]);
    expect(gh("kubernetes-sigs/gateway-api")).toEqual([gatewayApi.version]);
    expect(gh("restic/restic")).toEqual([resticVersion]);
    expect(gh("prometheus/prometheus")).toEqual([monitoringReleases.prometheus]);
    expect(gh("prometheus/alertmanager")).toEqual([monitoringReleases.alertmanager]);
    expect(gh("LizardByte/Sunshine")).toEqual(gamingGuest.packages.filter((p) => p.id === "LizardByte.Sunshine").map((p) => p.version));
    expect(gh("kubevirt/kubevirt")).toEqual([kubevirtReleases.kubevirt.version]);
    expect(gh("kubevirt/containerized-data-importer")).toEqual([kubevirtReleases.cdi.version]);
  });

  it("find Talos and Kubernetes in every stack file, and the CLI and Go releases the workflows install", () => {
    for (const stack of ["dev", "prod", "cloud"]) {
      const text = fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8");
      const talos = /^\s+talos: (\d+\.\d+\.\d+)$/m.exec(text)![1];
      const kubernetes = /^\s+kubernetes: (\d+\.\d+\.\d+)$/m.exec(text)![1];
      const of = (dep: string) => found.filter((f) => f.file === `Pulumi.${stack}.yaml` && f.depName === dep).map((f) => f.currentValue);
      expect([of("siderolabs/talos"), of("kubernetes/kubernetes")]).toEqual([[talos], [kubernetes]]);
    }
    expect(found.filter((f) => f.file === ".pulumi.version").map((f) => [f.depName, f.currentValue])).toEqual([["pulumi/pulumi", fs.readFileSync(path.join(root, ".pulumi.version"), "utf8").trim()]]);
    expect(found.filter((f) => f.file === "tools/.go-version").map((f) => [f.depName, f.datasource])).toEqual([["go", "golang-version"]]);
  });

  it("pin GitHub Actions by digest and tidy the Go modules it bumps", () => {
    expect(config.extends).toContain("helpers:pinGitHubActionDigests");
    expect((config as unknown as { postUpdateOptions: string[] }).postUpdateOptions).toContain("gomodTidy");
  });
});
