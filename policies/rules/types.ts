// Resource type tokens the policies look at.
export const types = {
  proxmoxVm: "proxmoxve:index/vmLegacy:VmLegacy",
  ociInstance: "oci:Core/instance:Instance",
  ociSecurityList: "oci:Core/securityList:SecurityList",
} as const;

/** The marker the offline plan puts where a secret value was. */
export const SECRET_MARKER = "[secret]";
/** ...and where a value is not known until deploy. */
export const UNKNOWN_MARKER = "[unknown]";

export const stackNames = ["dev", "prod", "cloud"] as const;
