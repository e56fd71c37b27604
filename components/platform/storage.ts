// What the storage add-ons (services/platform/) and the program share: the
// classes' names, the node paths Talos must mount, Longhorn's namespace and
// its container defaults.
import { libraryStorageClass } from "../../contract/backup";
import { Manifest } from "./context";

/** Where the node agents keep volumes; Talos must bind-mount them into the kubelet. */
export const localPathDir = "/var/local-path-provisioner";
export const longhornDataDir = "/var/lib/longhorn";
export const nfsMediaClass = libraryStorageClass;

export const longhornNamespace = "longhorn-system";

/** Per-container defaults in longhorn-system, since Longhorn's chart cannot set resources. */
export const longhornContainerDefaults = { request: { cpu: "10m", memory: "64Mi" }, limit: { cpu: "2", memory: "1Gi" } } as const;

export function longhornLimitRange(): Manifest {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "container-defaults", namespace: longhornNamespace },
    spec: { limits: [{ type: "Container", defaultRequest: { ...longhornContainerDefaults.request }, default: { ...longhornContainerDefaults.limit } }] },
  };
}
