// GitHub's Actions Runner Controller (wave 1, prod when delivery.runner is
// set): it registers the runner scale set with GitHub and starts a runner pod
// for each job (docs/delivery.md). Its service account is named, so the
// scale set's chart finds it without looking the cluster up.
import { charts } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { runnerControllerNamespace, runnerControllerServiceAccount } from "../../components/platform/actionsRunner";
import { AddonEntry } from "../entry";

export const actionsRunnerController: AddonEntry = {
  name: "arc-controller",
  chart: charts.actionsRunnerController,
  namespace: runnerControllerNamespace,
  releaseName: "arc",
  podSecurity: "restricted",
  wave: 1,
  enabled: (ctx) => ctx.runner !== undefined,
  values: () => ({
    serviceAccount: { create: true, name: runnerControllerServiceAccount },
    resources: resources("20m", "64Mi", "500m", "256Mi"),
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    flags: { logLevel: "info" },
  }),
  declaration: { workloads: [{ path: "resources", replicasPath: "replicaCount" }] },
};
