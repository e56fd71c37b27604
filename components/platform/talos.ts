// What the platform needs from Talos itself: system extensions and kubelet
// mounts for the storage add-ons. Passed to the cluster template.
import { PlatformConfig } from "../../config/schema";
import { localPathDir, longhornDataDir } from "./storage";

export interface TalosRequirements {
  systemExtensions: string[];
  patches: { name: string; inline: object }[];
}

/**
 * The pod network: Talos' default cluster.network.podSubnets, which the
 * cluster template leaves as it is; Cilium (IPAM mode kubernetes) hands pods
 * addresses from the nodes' slices of it. Apps behind the Gateway trust
 * forwarded headers from it.
 */
export const podSubnet = "10.244.0.0/16";

const kubeletMount = (dir: string) => ({ destination: dir, type: "bind", source: dir, options: ["bind", "rshared", "rw"] });

export function talosRequirements(platform: PlatformConfig): TalosRequirements {
  const mounts: string[] = [];
  const systemExtensions: string[] = [];
  if (platform.storage.defaultClass === "local-path") mounts.push(localPathDir);
  if (platform.storage.longhorn) {
    mounts.push(longhornDataDir);
    // Longhorn attaches volumes over iSCSI and needs fstrim/nsenter from util-linux.
    systemExtensions.push("siderolabs/iscsi-tools", "siderolabs/util-linux-tools");
  }
  const patches = mounts.length > 0 ? [{ name: "storage-mounts", inline: { machine: { kubelet: { extraMounts: mounts.map(kubeletMount) } } } }] : [];
  return { systemExtensions, patches };
}
