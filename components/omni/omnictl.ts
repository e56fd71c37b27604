// One way to run omnictl from Pulumi: a local command fed its document on
// stdin, authenticated by the Omni service account from secret config.
//
// Lifecycle: none of these commands has a `triggers` input or a `delete`.
// A change of the document (a Talos or Kubernetes version bump, a new node)
// changes `create`/`stdin`, which pulumi-command turns into an *update* that
// runs `update` (the same apply again); only `triggers` would replace it, and a
// replacement runs the old resource's delete. Removing a cluster is a
// deliberate act (docs/runbooks/decommission-a-cluster.md), never a side effect
// of a diff.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { ignoreLegacyTriggers } from "../lifecycle";
import { shellQuote } from "../shell";

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
 * Applies `yamlText` with an omnictl sub-command that takes `-f <file>`, then
 * runs `after` (e.g. wait for the cluster), on create and on every update.
 * The document goes through a temp file that is removed on exit, so no copy
 * is left on the deploying machine.
 */
export function omnictlWithFile(
  name: string,
  args: { access: OmniAccess; subcommand: "apply" | "cluster template sync"; yamlText: pulumi.Input<string>; after?: string },
  opts: pulumi.CustomResourceOptions,
): command.local.Command {
  const script = `${omnictlPrologue} cat > "$f"; omnictl ${args.subcommand} -f "$f"${args.after ? `; ${args.after}` : ""}`;
  return new command.local.Command(name, { create: script, update: script, stdin: args.yamlText, environment: omnictlEnvironment(args.access) }, { ...opts, ...ignoreLegacyTriggers });
}

/** The omnictl command that waits until Omni reports the cluster of the template in "$f" ready. */
export const waitForClusterReady = (timeout: string) => `omnictl cluster template status -f "$f" --wait ${shellQuote(timeout)}`;

/**
 * A service-account kubeconfig for `cluster`, issued by Omni (its token goes
 * through Omni's Kubernetes proxy). Secret: it is a credential. A new cluster
 * or user changes `create`, and the update issues a fresh kubeconfig.
 */
export function omniKubeconfig(name: string, args: { access: OmniAccess; cluster: string; user: string }, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const cmd = new command.local.Command(
    name,
    {
      create: `${omnictlPrologue} omnictl kubeconfig --cluster ${shellQuote(args.cluster)} --service-account --user ${shellQuote(args.user)} --merge=false --force "$f" >/dev/null; cat "$f"`,
      environment: omnictlEnvironment(args.access),
    },
    { ...opts, additionalSecretOutputs: ["stdout"], ...ignoreLegacyTriggers },
  );
  return pulumi.secret(cmd.stdout);
}
