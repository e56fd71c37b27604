// The trigger of account provisioning: Authentik's webhook, on every user or
// group change, starts the repository's provision.yml through GitHub's
// repository_dispatch. Two webhook mappings (Python that Authentik's worker
// runs): the headers carry the dispatch token, the body an HMAC of the
// moment and the event with the webhook secret, which the workflow checks
// before anything (delivery/provision/signature.ts). Both read the worker's
// environment at send time, so neither secret is written into Authentik's
// database.

/** The dispatch's event_type: provision.yml listens for this one. */
export const dispatchEventType = "authentik-provisioning";
/** The worker's variables the mappings read. */
export const webhookSecretEnv = "AK_PROVISIONING_WEBHOOK_SECRET";
export const dispatchTokenEnv = "AK_GITHUB_DISPATCH_TOKEN";

/** GitHub's endpoint that starts repository_dispatch workflows of owner/name. */
export const dispatchUrl = (repository: string) => `https://api.github.com/repos/${repository}/dispatches`;

/** The headers mapping: GitHub's token (a fine-grained token with Contents: write on the one repository). */
export const headersExpression = [
  "import os",
  `return {"Authorization": "Bearer " + os.environ["${dispatchTokenEnv}"], "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}`,
].join("\n");

/** The body mapping: GitHub's dispatch body, its client_payload signed ("<sent_at>.<action>", HMAC-SHA256, hex). */
export const bodyExpression = [
  "import hashlib, hmac, os, time",
  'action = notification.event.action if notification.event else "notification"',
  "sent_at = str(int(time.time()))",
  `key = os.environ["${webhookSecretEnv}"].encode()`,
  'signature = hmac.new(key, (sent_at + "." + action).encode(), hashlib.sha256).hexdigest()',
  `return {"event_type": "${dispatchEventType}", "client_payload": {"action": action, "sent_at": sent_at, "signature": signature}}`,
].join("\n");

/** The worker's variables an expression reads through os.environ (the test holds them to the worker's environment). */
export const environReads = (expression: string): string[] => [...expression.matchAll(/os\.environ\["([A-Z0-9_]+)"\]/g)].map((m) => m[1]);
