// What the home stacks read from the stacks deployed before them: Omni's
// endpoint and access from the cloud stack, and (for dev) what prod holds on
// the shared Proxmox host. Read before anything is registered, so a stack
// deployed out of order says so in one line instead of failing half-way.
import * as pulumi from "@pulumi/pulumi";
import { HomeSite } from "../config/site";
import { OmniAccess } from "../components/omni/omnictl";

/** Another stack, read through one StackReference whatever the number of its outputs read. */
export interface OtherStack {
  ref: pulumi.StackReference;
  /** The config key that names the stack (for the errors). */
  key: string;
  name: string;
}

/** The reference to the stack a config key names (one per stack: its logical name is fixed, never the config value). */
export const otherStack = (resourceName: string, key: string, name: string): OtherStack => ({ ref: new pulumi.StackReference(resourceName, { name }), key, name });

/** The value of one output of another stack; a RunError naming the config key when it cannot be had. */
export async function readOutput(stack: OtherStack, output: string, deployFirst: string): Promise<unknown> {
  const { ref, key, name } = stack;
  // A stack that does not exist fails the read itself (the runtime reports that too); this says what to do.
  let details: pulumi.StackReferenceOutputDetails;
  try {
    details = await ref.getOutputDetails(output);
  } catch (err) {
    throw new pulumi.RunError(`homelab:${key} = ${JSON.stringify(name)}: cannot read that stack (${(err as Error).message}); deploy ${deployFirst} first, or correct the stack name (docs/runbooks/first-deploy.md)`);
  }
  const value = details.value ?? details.secretValue;
  if (value === undefined) {
    throw new pulumi.RunError(`homelab:${key} = ${JSON.stringify(name)}: that stack has no output "${output}"; deploy ${deployFirst} first (docs/runbooks/first-deploy.md)`);
  }
  return value;
}

const isText = (v: unknown): v is string => typeof v === "string" && v !== "";

/** Omni's endpoint, certificate and service-account key, from the cloud stack's `omni` output. */
export async function omniFromCloudStack(cloud: OtherStack): Promise<OmniAccess> {
  const omni = (await readOutput(cloud, "omni", "the cloud stack (it runs Omni)")) as Record<string, unknown>;
  const missing = ["endpoint", "caCertPem", "serviceAccountKey"].filter((k) => !isText(omni[k]));
  if (missing.length > 0) {
    throw new pulumi.RunError(`homelab:${cloud.key} = ${JSON.stringify(cloud.name)}: its "omni" output has no ${missing.join(", ")}; deploy the cloud stack (\`npm run up -- --stack cloud\`) until Omni is up`);
  }
  return { endpoint: omni.endpoint as string, caCertPem: omni.caCertPem as string, serviceAccountKey: pulumi.secret(omni.serviceAccountKey as string) };
}

/** What prod holds on the Proxmox host and the LAN, from its `site` output. */
export async function hostSiteFromStack(host: OtherStack): Promise<HomeSite> {
  const site = (await readOutput(host, "site", "the prod stack (it owns the Proxmox host)")) as Partial<HomeSite>;
  if (!site.proxmox || !site.lan || !Array.isArray(site.machines)) {
    throw new pulumi.RunError(`homelab:${host.key} = ${JSON.stringify(host.name)}: its "site" output is not a host description; deploy the prod stack (\`npm run up -- --stack prod\`) with this program's version`);
  }
  return site as HomeSite;
}
