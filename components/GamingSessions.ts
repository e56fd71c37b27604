// Gaming on KubeVirt (hypervisor.gpu.consumer kubevirt), on PROD: the KubeVirt
// and CDI operators from their pinned release manifests, their resources
// configured for the GPU on the gpu-worker, the gaming session (golden
// image, disks, VirtualMachine, Moonlight's LAN Service) and what the launch
// page may do with it, from components/gaming/kubevirt.ts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { kubevirtReleases, operatorManifestUrl } from "../config/versions";
import { SessionSpec, cdiResource, kubevirtResource, launchPageAccess, sessionManifests, sessionsNamespace } from "./gaming/kubevirt";
import { manifestResource } from "./platform/manifestResource";

export interface GamingSessionsArgs {
  /** PROD's Kubernetes provider. */
  provider: k8s.Provider;
  session: SessionSpec;
  /** The launch page's namespace: its `default` service account may start and stop the session. */
  launchNamespace: string;
}

/** KubeVirt and CDI report Available once their components run. */
const available = { "pulumi.com/waitFor": "condition=Available", "pulumi.com/timeoutSeconds": "1200" };

export class GamingSessions extends pulumi.ComponentResource {
  /** The session VM's namespace/name, for `virtctl start` and the launch page. */
  readonly session: string;

  constructor(name: string, args: GamingSessionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:GamingSessions", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    // The operators bring their CRDs; removing the KubeVirt choice deletes them, and with them every
    // session's objects (docs/runbooks/gaming.md says what to keep first).
    const kubevirtOperator = new k8s.yaml.v2.ConfigFile(`${name}-kubevirt-operator`, { file: operatorManifestUrl(kubevirtReleases.kubevirt) }, child);
    const cdiOperator = new k8s.yaml.v2.ConfigFile(`${name}-cdi-operator`, { file: operatorManifestUrl(kubevirtReleases.cdi) }, child);
    const kubevirt = manifestResource(`${name}-kubevirt`, kubevirtResource(args.session.deviceIds), { ...child, dependsOn: [kubevirtOperator] }, available);
    const cdi = manifestResource(`${name}-cdi`, cdiResource(), { ...child, dependsOn: [cdiOperator] }, available);
    // In order: each object after the one before it (the namespace first, the VM after its disks).
    [...sessionManifests(args.session), ...launchPageAccess(args.session, args.launchNamespace)].reduce<pulumi.Resource[]>((done, m) => {
      const id = `${name}-${m.kind.toLowerCase()}-${m.metadata.name}`;
      return [...done, manifestResource(id, m, { ...child, dependsOn: done.length ? [done[done.length - 1]] : [kubevirt, cdi] })];
    }, []);
    this.session = `${sessionsNamespace}/${args.session.name}`;
    this.registerOutputs({ session: this.session });
  }
}
