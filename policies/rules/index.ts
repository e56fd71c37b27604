import { Policies } from "@pulumi/policy";
import { ssoRoutesPolicy } from "./ssoRoutes";
import { adminAccessPolicy, edgeRoutesPolicy } from "./edgeRoutes";
import { backupDecisionPolicy } from "./backupDecision";
import { backupRetentionPolicy, backupsEncryptedPolicy, criticalBackupsPolicy } from "./backups";
import { clusterBudgetDeclaredPolicy, clusterBudgetPolicy } from "./clusterBudget";
import { containerResourcesPolicy } from "./containerResources";
import { dnsOwnerPolicy } from "./dnsOwner";
import { exposedServicesPolicy } from "./exposedServices";
import { gpuOneConsumerPolicy } from "./gpuOneConsumer";
import { machineTagsPolicy } from "./machineTags";
import { ociAlwaysFreePolicy } from "./ociAlwaysFree";
import { pinnedVersionsPolicy } from "./pinnedVersions";
import { proxmoxCapacityPolicy } from "./proxmoxCapacity";
import { routeTierPolicy } from "./routeTier";
import { securityListPortsPolicy } from "./securityListPorts";
import { volumeBackupClassPolicy } from "./volumeBackupClass";
import { waveDeclaredPolicy, waveOrderPolicy } from "./waveOrder";

export const allPolicies: Policies = [
  ociAlwaysFreePolicy,
  proxmoxCapacityPolicy,
  gpuOneConsumerPolicy,
  machineTagsPolicy,
  securityListPortsPolicy,
  backupDecisionPolicy,
  pinnedVersionsPolicy,
  containerResourcesPolicy,
  exposedServicesPolicy,
  clusterBudgetDeclaredPolicy,
  clusterBudgetPolicy,
  dnsOwnerPolicy,
  waveDeclaredPolicy,
  waveOrderPolicy,
  volumeBackupClassPolicy,
  criticalBackupsPolicy,
  backupsEncryptedPolicy,
  backupRetentionPolicy,
  routeTierPolicy,
  ssoRoutesPolicy,
  edgeRoutesPolicy,
  adminAccessPolicy,
];
