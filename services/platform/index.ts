// The platform add-ons, one file each: what every cluster that needs them
// runs in wave 1, before any service (the runner scale set in wave 4, the
// last).
import { AddonEntry } from "../entry";
import { cloudnativePg } from "./cloudnativePg";
import { csiDriverNfs } from "./csiDriverNfs";
import { localPath } from "./localPath";
import { longhorn } from "./longhorn";
import { kubePrometheusStack } from "./kubePrometheusStack";
import { blackboxExporter } from "./blackboxExporter";
import { loki } from "./loki";
import { alloy } from "./alloy";
import { velero } from "./velero";
import { volsync } from "./volsync";
import { actionsRunnerController } from "./actionsRunnerController";
import { actionsRunners } from "./actionsRunners";

export const addons: readonly AddonEntry[] = [localPath, longhorn, csiDriverNfs, cloudnativePg, kubePrometheusStack, blackboxExporter, loki, alloy, velero, volsync, actionsRunnerController, actionsRunners];
