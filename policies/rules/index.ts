import { Policies } from "@pulumi/policy";
import { backupDecisionPolicy } from "./backupDecision";
import { clusterBudgetPolicy } from "./clusterBudget";
import { containerResourcesPolicy } from "./containerResources";
import { dnsOwnerPolicy } from "./dnsOwner";
import { exposedServicesPolicy } from "./exposedServices";
import { machineTagsPolicy } from "./machineTags";
import { ociAlwaysFreePolicy } from "./ociAlwaysFree";
import { pinnedVersionsPolicy } from "./pinnedVersions";
import { plaintextSecretsPolicy } from "./plaintextSecrets";
import { proxmoxCapacityPolicy } from "./proxmoxCapacity";
import { securityListPortsPolicy } from "./securityListPorts";
import { waveOrderPolicy } from "./waveOrder";

export const allPolicies: Policies = [
  ociAlwaysFreePolicy,
  proxmoxCapacityPolicy,
  machineTagsPolicy,
  plaintextSecretsPolicy,
  securityListPortsPolicy,
  backupDecisionPolicy,
  pinnedVersionsPolicy,
  containerResourcesPolicy,
  exposedServicesPolicy,
  clusterBudgetPolicy,
  dnsOwnerPolicy,
  waveOrderPolicy,
];
