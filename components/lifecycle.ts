// Resource options that keep deployed stacks intact across program changes.
// Every use says why at the call site; these helpers say what.
import * as pulumi from "@pulumi/pulumi";

/**
 * Commands of earlier releases carried a content-hash `triggers` input.
 * `triggers` is the one input pulumi-command replaces on, and a replacement
 * runs the *old* resource's delete (for the cluster template: deleting the
 * cluster). The program no longer sets it; ignoring it means a stack deployed
 * by an earlier release sees an update, not a replacement.
 */
export const ignoreLegacyTriggers: Pick<pulumi.CustomResourceOptions, "ignoreChanges"> = { ignoreChanges: ["triggers"] };

/**
 * Earlier logical names of a resource (they came from config values); the
 * engine then matches the deployed resource instead of deleting it and
 * creating a new one. Names equal to the current one are dropped.
 */
export function formerNames(current: string, ...names: string[]): Pick<pulumi.ResourceOptions, "aliases"> {
  const earlier = [...new Set(names)].filter((n) => n !== current);
  return earlier.length > 0 ? { aliases: earlier.map((name) => ({ name })) } : {};
}
