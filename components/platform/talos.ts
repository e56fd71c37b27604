// What the platform needs from Talos itself: system extensions and kubelet
// mounts for the storage add-ons. Passed to the cluster template.
import { PlatformConfig } from "../../config/schema";
import { localPathDir, longhornDataDir } from "./storage";

export interface TalosRequirements {
  systemExtensions: string[];
  patches: { name: string; inline: object }[];
}

/** The pod network (config/net.ts says what it is). */
export { podSubnet } from "../../config/net";

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
