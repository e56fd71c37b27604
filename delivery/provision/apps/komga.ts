// Komga's API (1.x): HTTP Basic on every call; accounts are email
// addresses; users at /api/v2/users (ADMIN only). A server nobody has set
// up is claimed with /api/v1/claim, which makes that account its admin.
import { jsonClient } from "../http";
import { provisionerAccount } from "../passwords";
import type { ClientFactory } from "./client";

/** The provisioner's login: Komga wants an email address. */
export const komgaProvisionerEmail = `${provisionerAccount}@komga.invalid`;

/** A reader streams pages (web reader, OPDS) and downloads books (Kobo, offline reading). */
const readerRoles = ["PAGE_STREAMING", "FILE_DOWNLOAD"];

export const komgaClient: ClientFactory = (baseUrl, provisionerPassword, fetchImpl) => {
  const call = jsonClient("komga", baseUrl, fetchImpl);
  const auth = { Authorization: `Basic ${Buffer.from(`${komgaProvisionerEmail}:${provisionerPassword}`).toString("base64")}` };
  return {
    async signIn() {
      const { isClaimed } = await call<{ isClaimed: boolean }>("/api/v1/claim", { purpose: "read whether the server is claimed" });
      if (!isClaimed) await call("/api/v1/claim", { method: "POST", headers: { "X-Komga-Email": komgaProvisionerEmail, "X-Komga-Password": provisionerPassword }, purpose: `claim the server as ${komgaProvisionerEmail}` });
      let me: { roles: string[] };
      try {
        me = await call<{ roles: string[] }>("/api/v2/users/me", { headers: auth, purpose: `sign in as ${komgaProvisionerEmail}` });
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; expected an ADMIN account ${komgaProvisionerEmail} with the password \`npm run delivery -- initial-password --app komga --user ${provisionerAccount}\` prints`);
      }
      if (!me.roles.includes("ADMIN")) throw new Error(`komga: ${komgaProvisionerEmail} lacks the ADMIN role; expected it (only admins list and create users)`);
      return { claimed: !isClaimed };
    },
    async accounts() {
      const users = await call<{ email: string }[]>("/api/v2/users", { headers: auth, purpose: "list the users" });
      return new Set(users.map((u) => u.email.toLowerCase()));
    },
    accountName: (m) => (m.email ? { name: m.email } : { skip: "no email address in Authentik: Komga's accounts are email addresses" }),
    async create(m, name, password) {
      await call("/api/v2/users", { method: "POST", headers: auth, body: { email: name, password, roles: m.admin ? ["ADMIN", ...readerRoles] : readerRoles }, purpose: `create ${name}` });
    },
  };
};
