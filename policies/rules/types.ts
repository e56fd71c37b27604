// Resource type tokens the policies look at.
export const types = {
  proxmoxVm: "proxmoxve:index/vmLegacy:VmLegacy",
  ociInstance: "oci:Core/instance:Instance",
  ociSecurityList: "oci:Core/securityList:SecurityList",
} as const;

/** The marker the offline plan puts where a secret value was. */
export const SECRET_MARKER = "[secret]";

export const stackNames = ["dev", "prod", "cloud"] as const;
