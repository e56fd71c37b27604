// The identity plane (FR-007, FR-010): Authentik on the management VM, its
// whole structure one blueprint computed from the catalog, and every secret
// it shares with the apps generated here: Authentik's own key and database
// password, each OIDC client's secret, each SSO gate's cookie secret, the
// service accounts' tokens, the provisioning webhook's secret and the key
// of the provisioned accounts' initial passwords. The VM
// gets them in its .env (stdin, never a file of the plan); the apps read the
// same values from Bitwarden under the names `secrets` lists.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ServiceEntry } from "../services/entry";
import { blueprintReferences, renderBlueprint } from "./identity/blueprint";
import { IdentityInputs, OidcClient, blueprintEnvironment, homelabBlueprint, oidcClients, serviceAccounts, passwordKeyBitwarden, tokenBitwarden, tokenEnv, webhookSecretBitwarden } from "./identity/blueprints";
import { dispatchTokenEnv, webhookSecretEnv } from "./identity/provisioning";
import { authentikWorkload, samlMetadataFile } from "./identity/authentikCompose";
import { BitwardenSecret, BitwardenTarget } from "./identity/bitwardenSecret";
import type { VmWorkload } from "./omni/managementVm";
import { ssoGates } from "./service/ssoGate";

export interface IdentityPlaneArgs {
  /** The public domain (Authentik is auth.<domain>). */
  domain: string;
  omniHostname: string;
  catalog: readonly ServiceEntry[];
  /** Account provisioning: the repository whose provision.yml Authentik starts, and the GitHub token that may (secret). */
  provisioning: { repository: string; dispatchToken: pulumi.Input<string> };
  /** Cloudflare Access's team name: registers Access as a client of Authentik. */
  accessTeam?: string;
  /** The administrator's email: Authentik's bootstrap admin, as Omni's first user. */
  adminEmail: string;
  /** Where the generated values are written for the apps: the Secrets Manager project External Secrets reads, with a token that may write it. */
  bitwarden: Omit<BitwardenTarget, "accessToken"> & { accessToken: pulumi.Input<string> };
}

/** The blueprint's subject: what the plan prints and the tests read. */
export interface IdentitySummary {
  hostname: string;
  clients: Pick<OidcClient, "slug" | "admits" | "redirectUris">[];
  serviceAccounts: string[];
}

export class IdentityPlane extends pulumi.ComponentResource {
  /** Authentik's compose services, files and steps for the management VM. */
  readonly workload: VmWorkload;
  /** The .env values the workload reads (secret). */
  readonly env: pulumi.Output<Record<string, string>>;
  readonly samlMetadataFile: string;
  /** An OIDC client's secret by client id (secret), for a client outside the clusters (Cloudflare Access). */
  readonly clientSecret: (clientId: string) => pulumi.Output<string>;
  /** akadmin's first password (secret): for the first sign-in, before the administrator's own account exists. */
  readonly bootstrapPassword: pulumi.Output<string>;
  readonly summary: IdentitySummary;

  constructor(name: string, args: IdentityPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:IdentityPlane", name, {}, opts);
    const inputs: IdentityInputs = { domain: args.domain, omniHostname: args.omniHostname, catalog: args.catalog, provisioningRepository: args.provisioning.repository, accessTeam: args.accessTeam };
    const blueprint = renderBlueprint(homelabBlueprint(inputs));
    const environment = blueprintEnvironment(inputs);
    // A reference that resolves to nothing would be applied as an empty field: refuse to deploy it.
    const problems = blueprintReferences(blueprint, environment);
    if (problems.length > 0) throw new Error(`IdentityPlane ${name}: the blueprint has references that do not resolve:\n${problems.join("\n")}`);

    const child = { parent: this };
    // Alphanumeric: each value goes into .env and YAML unquoted-safe, and cookie secrets must be exactly 32 bytes.
    const generated = (id: string, length: number) => new random.RandomPassword(`${name}-${id}`, { length, special: false }, child).result;
    const clients = oidcClients(inputs);
    const env: Record<string, pulumi.Output<string>> = {
      AUTHENTIK_SECRET_KEY: generated("secret-key", 64),
      AUTHENTIK_DB_PASSWORD: generated("database-password", 40),
      AUTHENTIK_BOOTSTRAP_PASSWORD: generated("bootstrap-password", 32),
      [webhookSecretEnv]: generated("provisioning-webhook-secret", 48),
      [dispatchTokenEnv]: pulumi.secret(args.provisioning.dispatchToken),
    };
    const bitwarden: Record<string, pulumi.Output<string>> = {
      [webhookSecretBitwarden]: env[webhookSecretEnv],
      // Only the provisioning workflow and the admin (initial passwords) read it; Authentik never does.
      [passwordKeyBitwarden]: generated("provisioning-password-key", 48),
    };
    const clientSecrets: Record<string, pulumi.Output<string>> = {};
    for (const c of clients) {
      env[c.secretEnv] = generated(`client-${c.slug}`, 64);
      clientSecrets[c.slug] = env[c.secretEnv];
      if (c.bitwarden) bitwarden[c.bitwarden] = env[c.secretEnv];
    }
    for (const a of serviceAccounts) {
      env[tokenEnv(a.name)] = generated(`token-${a.name}`, 64);
      bitwarden[tokenBitwarden(a.name)] = env[tokenEnv(a.name)];
    }
    // oauth2-proxy's cookie secret: 32 characters are its 32-byte AES key.
    for (const gate of args.catalog.flatMap((e) => ssoGates(e, args.domain))) bitwarden[`${gate.name}-cookie-secret`] = generated(`cookie-${gate.name}`, 32);

    // The apps read each value by this name; the secret note says where it comes from.
    for (const [key, value] of Object.entries(bitwarden)) {
      new BitwardenSecret(`${name}-bitwarden-${key}`, { ...args.bitwarden, key, value, note: "generated by the homelab program (IdentityPlane); rotate it with pulumi up --replace" }, child);
    }

    this.workload = authentikWorkload({ hostname: `auth.${args.domain}`, blueprint, blueprintEnv: environment, omniSamlSlug: "omni", bootstrapEmail: args.adminEmail });
    this.env = pulumi.secret(pulumi.all(env));
    this.bootstrapPassword = pulumi.secret(env.AUTHENTIK_BOOTSTRAP_PASSWORD);
    this.clientSecret = (clientId) => {
      if (!clientSecrets[clientId]) throw new Error(`IdentityPlane ${name}: no OIDC client ${clientId}; expected one of ${Object.keys(clientSecrets).join(", ")}`);
      return pulumi.secret(clientSecrets[clientId]);
    };
    this.samlMetadataFile = samlMetadataFile;
    this.summary = { hostname: `auth.${args.domain}`, clients: clients.map((c) => ({ slug: c.slug, admits: c.admits, redirectUris: c.redirectUris })), serviceAccounts: serviceAccounts.map((a) => a.name) };
    this.registerOutputs({ summary: this.summary });
  }
}
