// `npm run delivery -- provision` and `initial-password`: what
// provision.yml runs and what the admin types to hand a password over.
import fs from "fs";
import { committedConfig } from "../../plan/stackFiles";
import { hostnameOf } from "../../components/service/manifests";
import { adminSubdomains } from "../../components/identity/blueprints";
import type { ServiceEntry } from "../../services/entry";
import { catalog } from "../../services";
import { UsageError, option } from "../usage";
import { initialPassword } from "./passwords";
import { ProvisionInputs, ProvisionReport, ProvisionTarget, provision } from "./run";

/** The catalog's apps whose accounts are provisioned, at their public URLs. */
export function provisionTargets(entries: readonly ServiceEntry[], domain: string): ProvisionTarget[] {
  return entries.flatMap((e) => {
    if (!e.accounts) return [];
    const host = hostnameOf(e, domain);
    if (!host) throw new Error(`${e.name}: accounts ${e.accounts} needs a public hostname (exposure tunnel); the provisioner reaches apps there`);
    return [{ app: e.name, api: e.accounts, url: `https://${host}` }];
  });
}

/** The family's domain, as the cloud stack (which runs Authentik) has it committed. */
const committedDomain = () => committedConfig("cloud").services.domain;

/** What provision.yml hands the run: the event from GITHUB_EVENT_NAME/GITHUB_EVENT_PATH, the secrets from the environment. */
export function provisionInputs(env: NodeJS.ProcessEnv, domain: string, now: Date): ProvisionInputs {
  const name = env.GITHUB_EVENT_NAME ?? "";
  const payload = env.GITHUB_EVENT_PATH ? JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, "utf8")) : undefined;
  return {
    event: { name, payload },
    webhookSecret: env.PROVISIONING_WEBHOOK_SECRET ?? "",
    passwordKey: env.PROVISIONING_PASSWORD_KEY ?? "",
    authentik: { url: `https://${adminSubdomains.authentik}.${domain}`, token: env.AUTHENTIK_TOKEN ?? "" },
    targets: provisionTargets(catalog, domain),
    now,
  };
}

/** Runs provisioning as provision.yml does, for the committed domain. */
export const provisionFromEnvironment = (env: NodeJS.ProcessEnv, now = new Date()): Promise<ProvisionReport> => provision(provisionInputs(env, committedDomain(), now));

/** `initial-password --app <name> --user <login>`: the password the account started with (PROVISIONING_PASSWORD_KEY). */
export function initialPasswordCommand(argv: string[], env: NodeJS.ProcessEnv): string {
  const apps = catalog.filter((e) => e.accounts).map((e) => e.name);
  const app = option(argv, "--app");
  if (!app || !apps.includes(app)) throw new UsageError(`--app ${app ?? "(missing)"}: expected one of ${apps.join(", ")}`);
  const user = option(argv, "--user");
  if (!user) throw new UsageError("--user: expected the account's login (the Authentik username; for komga, the email address)");
  return initialPassword(env.PROVISIONING_PASSWORD_KEY ?? "", app, user);
}
