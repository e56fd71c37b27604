// ntfy's credentials, generated (FR-021): the admin's password (a stack
// output, read with `pulumi stack output ntfyAdminPassword --show-secrets`),
// Alertmanager's publisher password (nobody needs it: it publishes with its
// token) and access token, and ntfy's environment holding only their bcrypt
// hashes (components/monitoring/ntfy.ts). Salts are generated once and kept in
// the state, so the hashes, and the Secrets made of them, change only when a
// password does.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { bcryptHash, ntfyAuthEnv } from "./monitoring/ntfy";

export type NtfyCredentialsArgs = Record<string, never>;

export class NtfyCredentials extends pulumi.ComponentResource {
  /** NTFY_AUTH_USERS, NTFY_AUTH_ACCESS, NTFY_AUTH_TOKENS (secret). */
  readonly env: pulumi.Output<Record<string, string>>;
  /** Alertmanager's access token (secret). */
  readonly publisherToken: pulumi.Output<string>;
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, _args: NtfyCredentialsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:NtfyCredentials", name, {}, opts);
    const child = { parent: this };
    const admin = new random.RandomPassword(`${name}-admin-password`, { length: 24, special: false }, child);
    const publisher = new random.RandomPassword(`${name}-publisher-password`, { length: 32, special: false }, child);
    const token = new random.RandomString(`${name}-publisher-token`, { length: 29, upper: false, special: false, numeric: true, lower: true }, child);
    const salt = (who: string) => new random.RandomBytes(`${name}-${who}-salt`, { length: 16 }, child).base64;
    this.adminPassword = pulumi.secret(admin.result);
    this.publisherToken = pulumi.secret(pulumi.interpolate`tk_${token.result}`);
    this.env = pulumi.secret(
      pulumi.all([admin.result, salt("admin"), publisher.result, salt("publisher"), this.publisherToken]).apply(([a, aSalt, p, pSalt, t]): Record<string, string> =>
        ntfyAuthEnv({ adminHash: bcryptHash(a, Buffer.from(aSalt, "base64")), publisherHash: bcryptHash(p, Buffer.from(pSalt, "base64")), publisherToken: t }),
      ),
    );
    this.registerOutputs({ env: this.env, publisherToken: this.publisherToken, adminPassword: this.adminPassword });
  }
}
