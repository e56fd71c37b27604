// One way to run omnictl from Pulumi: a local command fed its document on
// stdin, authenticated by the Omni service account from secret config.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** How a stack reaches Omni: its endpoint and a service-account key (secret). */
export interface OmniAccess {
  endpoint: pulumi.Input<string>;
  serviceAccountKey: pulumi.Input<string>;
  /** Omni's certificate (public), trusted by omnictl through SSL_CERT_FILE. */
  caCertPem: pulumi.Input<string>;
}

/** Environment and shell prologue every omnictl call shares. */
export const omnictlEnvironment = (access: OmniAccess) => ({
  OMNI_ENDPOINT: access.endpoint,
  // Secret whatever the caller passed, so it never shows in plans or state.
  OMNI_SERVICE_ACCOUNT_KEY: pulumi.secret(access.serviceAccountKey),
  OMNI_CA_PEM: access.caCertPem,
});
export const omnictlPrologue = `set -eu; ca=$(mktemp); f=$(mktemp --suffix=.yaml); trap 'rm -f "$ca" "$f"' EXIT; printf '%s\\n' "$OMNI_CA_PEM" > "$ca"; export SSL_CERT_FILE="$ca";`;

export const contentHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/**
 * Applies `yamlText` with an omnictl sub-command that takes `-f <file>`.
 * The document goes through a temp file that is removed on exit, so no copy
 * is left on the deploying machine.
 */
export function omnictlWithFile(
  name: string,
  args: { access: OmniAccess; subcommand: string; yamlText: string; deleteSubcommand?: string; after?: string },
  opts: pulumi.CustomResourceOptions,
): command.local.Command {
  const run = (sub: string) =>
    `${omnictlPrologue} cat > "$f"; omnictl ${sub} -f "$f"${args.after ? `; ${args.after}` : ""}`;
  return new command.local.Command(
    name,
    {
      create: run(args.subcommand),
      update: run(args.subcommand),
      delete: args.deleteSubcommand ? run(args.deleteSubcommand) : undefined,
      stdin: args.yamlText,
      environment: omnictlEnvironment(args.access),
      triggers: [contentHash(args.yamlText)],
    },
    opts,
  );
}

/**
 * A service-account kubeconfig for `cluster`, issued by Omni (its token goes
 * through Omni's Kubernetes proxy). Secret: it is a credential.
 */
export function omniKubeconfig(name: string, args: { access: OmniAccess; cluster: string; user: string }, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const cmd = new command.local.Command(
    name,
    {
      create: `${omnictlPrologue} omnictl kubeconfig --cluster ${args.cluster} --service-account --user ${args.user} --merge=false --force "$f" >/dev/null; cat "$f"`,
      environment: omnictlEnvironment(args.access),
      triggers: [args.cluster, args.user],
    },
    { ...opts, additionalSecretOutputs: ["stdout"] },
  );
  return pulumi.secret(cmd.stdout);
}
