// The homelab's runner scale set (wave 4, the last: after the controller's
// CRDs, and nothing of the family's waits for the admin's runner): no
// runner idles; each job the workflows send to `runs-on: homelab` gets a pod
// of GitHub's runner image, as its unprivileged user, with the service
// account that may read Argo CD's Applications (components/platform/actionsRunner.ts).
import { charts, images } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { runnerAppSecret, runnerControllerNamespace, runnerControllerServiceAccount, runnerNamespace, runnerScaleSet, runnerServiceAccount, runnerUid } from "../../components/platform/actionsRunner";
import { AddonEntry } from "../entry";

const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

export const actionsRunners: AddonEntry = {
  name: "arc-runners",
  chart: charts.actionsRunnerSet,
  namespace: runnerNamespace,
  releaseName: runnerScaleSet,
  podSecurity: "restricted",
  wave: 4,
  enabled: (ctx) => ctx.runner !== undefined,
  values: (ctx) => {
    if (!ctx.runner) throw new Error(`arc-runners on ${ctx.cluster}: no runner settings`);
    return {
      githubConfigUrl: `https://github.com/${ctx.runner.repository}`,
      githubConfigSecret: runnerAppSecret,
      runnerScaleSetName: runnerScaleSet,
      minRunners: 0,
      maxRunners: ctx.runner.maxRunners,
      controllerServiceAccount: { namespace: runnerControllerNamespace, name: runnerControllerServiceAccount },
      listenerTemplate: { spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [{ name: "listener", resources: resources("10m", "32Mi", "200m", "128Mi"), securityContext: restricted }] } },
      template: {
        spec: {
          serviceAccountName: runnerServiceAccount,
          securityContext: { runAsNonRoot: true, runAsUser: runnerUid, runAsGroup: runnerUid, fsGroup: runnerUid, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "runner",
              image: images.actionsRunner,
              command: ["/home/runner/run.sh"],
              // npm ci, the offline plan and a `pulumi up` of a stack: Node holds the program's providers.
              resources: resources("250m", "1Gi", "2", "4Gi"),
              securityContext: restricted,
            },
          ],
        },
      },
    };
  },
  declaration: {
    workloads: [
      { path: "template.spec.containers.0.resources", replicasPath: "maxRunners" },
      { path: "listenerTemplate.spec.containers.0.resources" },
    ],
  },
};
