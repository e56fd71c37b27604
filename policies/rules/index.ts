import { Policies } from "@pulumi/policy";
import { backupDecisionPolicy } from "./backupDecision";
import { machineTagsPolicy } from "./machineTags";
import { ociAlwaysFreePolicy } from "./ociAlwaysFree";
import { plaintextSecretsPolicy } from "./plaintextSecrets";
import { proxmoxCapacityPolicy } from "./proxmoxCapacity";
import { securityListPortsPolicy } from "./securityListPorts";

export const allPolicies: Policies = [
  ociAlwaysFreePolicy,
  proxmoxCapacityPolicy,
  machineTagsPolicy,
  plaintextSecretsPolicy,
  securityListPortsPolicy,
  backupDecisionPolicy,
];
