// Whole-stack tests: each committed stack config through the real program
// and the policy pack, exactly as `npm run plan` does.
import { charts, serviceCharts } from "../../config/versions";
import { entriesFor } from "../../services";
import { Plan, planStack } from "../../plan/plan";
import { leakedFakeSecrets } from "../../plan/secrets";
import { renderPlan } from "../../plan/report";
import { parseStackFile } from "../../plan/stackFiles";

const plans: Record<string, Plan> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod", "cloud"] as const) plans[stack] = await planStack(stack);
});

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const vmSizes = (plan: Plan) =>
  ofType(plan, "proxmoxve:index/vmLegacy:VmLegacy").map((r) => {
    const i = r.inputs as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    return { name: r.name, cores: i.cpu.cores, memoryMiB: i.memory.dedicated, diskGb: i.disks[0].size, started: i.started };
  }).sort((a, b) => a.name.localeCompare(b.name));

describe.each(["dev", "prod", "cloud"])("stack %s", (stack) => {
  it("passes every policy", () => {
    expect(plans[stack].violations).toEqual([]);
  });

  it("shows secrets only as [secret]", () => {
    const json = JSON.stringify(plans[stack]);
    expect(leakedFakeSecrets(json)).toEqual([]);
    expect(json).toContain('"[secret]"');
  });

  it("gives every resource under a component its parent's name", () => {
    const names = new Set(plans[stack].resources.map((r) => r.name));
    for (const r of plans[stack].resources) if (r.parent !== null) expect(names.has(r.parent)).toBe(true);
    // Components sit at the top, except each service's ServiceApp, under the platform of its cluster.
    const components = plans[stack].resources.filter((r) => r.type.startsWith("homelab:index:"));
    expect(components.filter((r) => r.parent !== null).map((r) => `${r.type} under ${r.parent}`)).toEqual(
      components.filter((r) => r.type === "homelab:index:ServiceApp").map(() => "homelab:index:ServiceApp under platform"),
    );
  });
});

describe("dev", () => {
  it("is one 2 vCPU / 4 GB / 50 GB node", () => {
    expect(vmSizes(plans.dev)).toEqual([{ name: "cluster-dev-cp-1", cores: 2, memoryMiB: 4096, diskGb: 50, started: true }]);
  });
});

describe("prod", () => {
  it("has a control plane 2/4/50, a worker 6/12/200 and the gaming VM off", () => {
    expect(vmSizes(plans.prod)).toEqual([
      { name: "cluster-prod-cp-1", cores: 2, memoryMiB: 4096, diskGb: 50, started: true },
      { name: "cluster-prod-worker-1", cores: 6, memoryMiB: 12288, diskGb: 200, started: true },
      { name: "gaming-vm", cores: 8, memoryMiB: 32768, diskGb: 1000, started: false },
    ]);
  });

  it("configures the host: ZFS mirror, vmbr0, GPU mapping, NFS exports, sanoid", () => {
    expect(ofType(plans.prod, "proxmoxve:node/disk/zfs:Zfs")).toHaveLength(1);
    expect(ofType(plans.prod, "proxmoxve:network/linux/bridge:Bridge")[0].inputs.name).toBe("vmbr0");
    expect(ofType(plans.prod, "proxmoxve:hardware/mapping/pci:Pci")).toHaveLength(1);
    const scripts = ofType(plans.prod, "command:remote:Command").map((c) => String(c.inputs.create));
    expect(scripts.some((s) => s.includes("/etc/exports.d/homelab.exports"))).toBe(true);
    expect(scripts.some((s) => s.includes("/etc/sanoid/sanoid.conf"))).toBe(true);
  });

  it("reports the host's load in every NFR-010 mode, within 64 GB", () => {
    const ram = plans.prod.capacity.filter((c) => c.pool.startsWith("proxmox host") && c.resource.startsWith("RAM"));
    expect(ram.map((c) => [c.pool.replace("proxmox host, ", "").split(" ")[0], c.allocated])).toEqual([
      ["normal", 28],
      ["testing", 32],
      ["gaming", 60],
      ["everything", 64],
    ]);
    expect(ram.every((c) => c.allocated <= c.capacity)).toBe(true);
  });
});

describe("cloud", () => {
  it("has the management VM and two nodes with the PRD shapes, within Always Free", () => {
    const shapes = ofType(plans.cloud, "oci:Core/instance:Instance")
      .map((r) => [r.name, r.inputs.shapeConfig])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(shapes).toEqual([
      ["cluster-oci-node-1", { ocpus: 2, memoryInGbs: 12 }],
      ["cluster-oci-node-2", { ocpus: 1, memoryInGbs: 6 }],
      ["omni-vm", { ocpus: 1, memoryInGbs: 6 }],
    ]);
    expect(plans.cloud.capacity.filter((c) => c.pool.startsWith("OCI")).map((c) => [c.resource, c.allocated, c.capacity])).toEqual([
      ["OCPU", 4, 4],
      ["RAM", 24, 24],
      ["block storage", 189, 200],
    ]);
  });

  it("applies the Omni templates for the cloud cluster", () => {
    const names = plans.cloud.resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["cluster-machine-classes", "cluster-template", "cluster-kubeconfig"]));
  });
});

describe("platform budget per cluster", () => {
  it("counts every cloud service from its catalog entry, and fits them with the headroom in the cluster's 18 GB", () => {
    const [cloud] = plans.cloud.budget;
    expect(cloud).toMatchObject({ cluster: "cloud", allocatableMiB: 17336, servicesReserveMiB: 2048 });
    const items = cloud.items.map((i) => i.resource);
    for (const s of entriesFor("cloud")) expect(items.some((i) => i.startsWith(`Application platform-service-${s.name}-application:`))).toBe(true);
    expect(items).toEqual(expect.arrayContaining(["Cluster platform-service-immich-database"]));
    expect(cloud.freeMiB).toBeGreaterThanOrEqual(0);
  });

  it("fits dev's platform, its services and the headroom on its one 4 GB node", () => {
    const [dev] = plans.dev.budget;
    expect(dev).toMatchObject({ cluster: "dev", allocatableMiB: 4096 - 512 - 100 });
    expect(dev.systemMiB + dev.requestsMiB + dev.servicesReserveMiB).toBeLessThanOrEqual(dev.allocatableMiB);
  });

  it("lists every chart with its pinned version and wave", () => {
    expect(plans.prod.charts.map((c) => `${c.wave} ${c.resource} ${c.chart}@${c.version} ${c.via}`)).toEqual([
      `0 platform-argocd argo-cd@${charts.argoCd.version} pulumi`,
      `0 platform-cert-manager cert-manager@${charts.certManager.version} pulumi`,
      `0 platform-cilium cilium@${charts.cilium.version} pulumi`,
      `0 platform-external-secrets external-secrets@${charts.externalSecrets.version} pulumi`,
      `1 platform-app-alloy alloy@${charts.alloy.version} argocd`,
      `1 platform-app-arc-controller gha-runner-scale-set-controller@${charts.actionsRunnerController.version} argocd`,
      `1 platform-app-blackbox-exporter prometheus-blackbox-exporter@${charts.blackboxExporter.version} argocd`,
      `1 platform-app-cloudnative-pg cloudnative-pg@${serviceCharts.cloudnativePg.version} argocd`,
      `1 platform-app-csi-driver-nfs csi-driver-nfs@${charts.csiDriverNfs.version} argocd`,
      `1 platform-app-kube-prometheus-stack kube-prometheus-stack@${charts.kubePrometheusStack.version} argocd`,
      `1 platform-app-loki loki@${charts.loki.version} argocd`,
      `1 platform-app-longhorn longhorn@${charts.longhorn.version} argocd`,
      `1 platform-app-velero velero@${charts.velero.version} argocd`,
      `1 platform-app-volsync volsync@${charts.volsync.version} argocd`,
      ...entriesFor("prod")
        .map((e) => `${e.wave} platform-service-${e.name}-application ${e.chart.chart}@${e.chart.version} argocd`)
        .sort(),
      // The admin's runner, last: nothing of the family's waits for it.
      `4 platform-app-arc-runners gha-runner-scale-set@${charts.actionsRunnerSet.version} argocd`,
    ]);
    expect(renderPlan(plans.dev)).toContain("wave 1  platform-app-local-path");
  });

  it("counts Argo CD and Longhorn on prod's worker", () => {
    const [prod] = plans.prod.budget;
    const items = prod.items.map((i) => i.resource);
    expect(items).toEqual(expect.arrayContaining(["Release platform-argocd: values.controller.resources", expect.stringMatching(/^Application platform-app-longhorn: estimated/)]));
    expect(prod.freeMiB).toBeGreaterThanOrEqual(0);
  });
});

describe("readable plan", () => {
  it("prints components, counts, capacity, placeholders and policy results", () => {
    const text = renderPlan(plans.cloud);
    // OmniServer, IdentityPlane, TunnelEdge, TwingateAccess, BackupStore, TalosCluster, ClusterPlatform and one ServiceApp per entry.
    expect(text).toContain(`== stack cloud: ${7 + entriesFor("cloud").length} components`);
    expect(text).toContain("homelab:index:ClusterPlatform");
    expect(text).toMatch(/cluster cloud \(allocatable\)\s+RAM \+ services reserve\s+12728 \/ 17336 MiB/);
    expect(text).toContain("Requests on cluster cloud (free after the services reserve: 4608 MiB):");
    expect(text).toContain("Twingate resources (reached through the home connectors; no port open at home):");
    const prod = renderPlan(plans.prod);
    expect(prod).toContain("Prometheus keeps 30 days of metrics, at most 18 GB of its 20 Gi volume (the oldest go first when either is reached).");
    expect(prod).toMatch(/DiskSmartFailed\s+disks\s+critical\s+0m\s+critical \(Telegram \+ ntfy, at once\)/);
    expect(prod).toContain("Loki keeps 30 days of every cluster's logs on its 20 Gi volume (its compactor deletes older ones).");
    // Every service of each stack has its probe in the plan, and how it is run.
    expect(prod).toContain(`Service probes (${entriesFor("prod").length}, once a minute; ServiceDown reads probe_success{job="services"}):`);
    expect(prod).toMatch(/ntfy\s+https:\/\/ntfy\.homelab\.example\/v1\/health\s+Probe object, blackbox exporter/);
    expect(plans.cloud.probes.map((p) => p.service).sort()).toEqual(entriesFor("cloud").map((e) => e.name).sort());
    expect(text).toMatch(/vaultwarden\s+http:\/\/vaultwarden\.vaultwarden\.svc\.cluster\.local:80\/alive\s+Alloy's blackbox exporter, sent to prod/);
    expect(text).not.toContain("Alert rules");
    expect(text).toMatch(/home-nfs\s+192\.168\.68\.51\s+2049\/tcp\s+homelab admins, the cloud cluster's nodes/);
    expect(text).toMatch(/Services \(catalog entries on this stack\):\n\s+service\s+tier\s+address\s+backup\s+requests\s+limits\s+storage\n/);
    // What to create in Bitwarden before the first deploy, by service, from the catalog.
    expect(text).toContain("Bitwarden secrets the services read (create them in the Secrets Manager project, by these names, before deploying):");
    expect(text).toMatch(/\n {2}comet +comet-admin-password, comet-configure-password, comet-api-token\n/);
    expect(text).toMatch(/\n {2}nextcloud +nextcloud-admin-user, nextcloud-admin-password, nextcloud-redis-password\n/);
    // What the identity plane generates is listed apart: nobody creates it by hand.
    expect(text).toMatch(/generates and writes \(nothing to create\):\n(.*\n)* {2}nextcloud +nextcloud-oidc-client-secret, nextcloud-sso-client-secret, nextcloud-sso-cookie-secret\n/);
    // Glance reads none and is not listed.
    expect(text).not.toMatch(/\n {2}glance +\S+-/);
    // Two SSO gates (the host and its /admin) are part of what it asks: 2 x 48 MiB, 10m.
    expect(text).toMatch(/vaultwarden\s+sso\s+vault\.homelab\.example\s+critical\s+384 MiB 95m\s+1152 MiB 1500m\s+data 2Gi \(local-path\), database 2Gi \(local-path\)/);
    expect(text).toContain("homelab:index:OmniServer");
    expect(text).toMatch(/OCI Always Free \(A1\)\s+OCPU\s+4 \/ 4/);
    expect(text).toContain("homelab:oci.tenancyOcid = ocid1.tenancy.oc1..aaaaaaaaplaceholdertenancy");
    expect(text).toContain("Policies (first preview and deployed state) and plan checks: all passed");
  });

  it("lists values marked # PLACEHOLDER with their key path", () => {
    const file = parseStackFile("config:\n  homelab:oci:\n    network:\n      adminCidrs:\n        - 10.0.0.1/32\n        - 203.0.113.1/32 # PLACEHOLDER: home IP\n");
    expect(file.placeholders).toEqual([{ key: "homelab:oci.network.adminCidrs[1]", value: "203.0.113.1/32", note: "home IP" }]);
    expect(file.config["homelab:oci"]).toBe('{"network":{"adminCidrs":["10.0.0.1/32","203.0.113.1/32"]}}');
  });
});
