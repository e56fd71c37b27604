// Account provisioning: who should have an account (the members of
// Authentik's family and admin groups) against who has one in each app
// with its own login; the missing ones are created with a derived initial
// password. Nothing is changed or deleted: a member who leaves keeps their
// playlists until an admin decides (docs/delivery.md).
import { accountClients } from "./apps";
import type { Member } from "./apps/client";
import { familyMembers } from "./authentik";
import type { Fetch } from "./http";
import { checkPasswordKey, initialPassword, provisionerAccount } from "./passwords";
import { verifyDispatch } from "./signature";
import type { AccountApi } from "../../services/entry";

export interface ProvisionTarget {
  /** The catalog entry's name (what the initial passwords are derived with). */
  app: string;
  api: AccountApi;
  /** https://<hostname> */
  url: string;
}

export interface ProvisionInputs {
  /** GITHUB_EVENT_NAME and the event's payload (GITHUB_EVENT_PATH). */
  event: { name: string; payload: unknown };
  webhookSecret: string;
  passwordKey: string;
  authentik: { url: string; token: string };
  targets: ProvisionTarget[];
  now: Date;
  fetchImpl?: Fetch;
}

export interface ProvisionReport {
  ok: boolean;
  lines: string[];
}

const names = (ms: { name: string }[]) => ms.map((m) => m.name).join(", ");

export async function provision(inputs: ProvisionInputs): Promise<ProvisionReport> {
  const lines: string[] = [];
  // The trigger first: nothing is read or written for a dispatch that is not Authentik's.
  if (inputs.event.name === "repository_dispatch") {
    const verdict = verifyDispatch((inputs.event.payload as { client_payload?: unknown } | undefined)?.client_payload, inputs.webhookSecret, inputs.now);
    if (!verdict.ok) return { ok: false, lines: [`refused: ${verdict.reason}`] };
    lines.push(`started by Authentik (${verdict.action})`);
  } else if (inputs.event.name === "workflow_dispatch") {
    lines.push("started by hand");
  } else {
    return { ok: false, lines: [`refused: event ${inputs.event.name || "(none)"}: expected repository_dispatch (Authentik) or workflow_dispatch (by hand)`] };
  }
  // Checked before any call: an empty key would fail halfway through.
  checkPasswordKey(inputs.passwordKey);

  const members = await familyMembers(inputs.authentik.url, inputs.authentik.token, inputs.fetchImpl);
  lines.push(`${members.length} family member(s) in Authentik: ${members.map((m) => m.username).join(", ") || "none"}`);
  let ok = true;
  for (const t of inputs.targets) {
    try {
      lines.push(await provisionApp(t, members, inputs.passwordKey, inputs.fetchImpl));
    } catch (e) {
      ok = false;
      lines.push(`${t.app}: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { ok, lines };
}

async function provisionApp(t: ProvisionTarget, members: Member[], key: string, fetchImpl?: Fetch): Promise<string> {
  const client = accountClients[t.api](t.url, initialPassword(key, t.app, provisionerAccount), fetchImpl);
  const { claimed } = await client.signIn();
  const existing = await client.accounts();
  const created: { name: string }[] = [];
  const skipped: string[] = [];
  let present = 0;
  for (const m of members) {
    const account = client.accountName(m);
    if ("skip" in account) {
      skipped.push(`${m.username} (${account.skip})`);
      continue;
    }
    if (existing.has(account.name.toLowerCase())) {
      present++;
      continue;
    }
    await client.create(m, account.name, initialPassword(key, t.app, account.name));
    existing.add(account.name.toLowerCase());
    created.push(account);
  }
  const parts = [
    ...(claimed ? [`set up with the provisioner's account ${provisionerAccount}`] : []),
    created.length ? `created ${names(created)}` : "nothing to create",
    `${present} already had an account`,
    ...(skipped.length ? [`skipped ${skipped.join(", ")}`] : []),
  ];
  return `${t.app}: ${parts.join("; ")}`;
}
