// Audiobookshelf's API (v2.26 and later): /login gives user.accessToken (a
// JWT; user.token before 2.26), sent as a Bearer token; users at /api/users
// (admins and root only). A fresh server (/status isInit false) takes its
// root user from /init.
import { jsonClient } from "../http";
import { provisionerAccount } from "../passwords";
import type { ClientFactory } from "./client";

interface Login {
  user: { accessToken?: string; token?: string; type: string };
}

export const audiobookshelfClient: ClientFactory = (baseUrl, provisionerPassword, fetchImpl) => {
  const call = jsonClient("audiobookshelf", baseUrl, fetchImpl);
  const credentials = { username: provisionerAccount, password: provisionerPassword };
  let token = "";
  const auth = () => ({ Authorization: `Bearer ${token}` });
  return {
    async signIn() {
      const status = await call<{ isInit: boolean }>("/status", { purpose: "read whether the server is set up" });
      if (!status.isInit) await call("/init", { method: "POST", body: { newRoot: credentials }, purpose: `create the root user ${provisionerAccount}` });
      let login: Login;
      try {
        login = await call<Login>("/login", { method: "POST", body: credentials, purpose: `sign in as ${provisionerAccount}` });
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; expected an admin account ${provisionerAccount} with the password \`npm run delivery -- initial-password --app audiobookshelf --user ${provisionerAccount}\` prints`);
      }
      if (login.user.type !== "root" && login.user.type !== "admin") throw new Error(`audiobookshelf: ${provisionerAccount} is a ${login.user.type}; expected an admin (only admins list and create users)`);
      token = login.user.accessToken ?? login.user.token ?? "";
      if (!token) throw new Error("audiobookshelf: /login answered without a token; expected user.accessToken");
      return { claimed: !status.isInit };
    },
    async accounts() {
      const { users } = await call<{ users: { username: string }[] }>("/api/users", { headers: auth(), purpose: "list the users" });
      return new Set(users.map((u) => u.username.toLowerCase()));
    },
    accountName: (m) => ({ name: m.username }),
    async create(m, name, password) {
      // isActive defaults to false: an account created without it cannot sign in.
      await call("/api/users", {
        method: "POST",
        headers: auth(),
        body: { username: name, password, email: m.email || undefined, type: m.admin ? "admin" : "user", isActive: true, permissions: { download: true, update: m.admin, delete: m.admin, upload: m.admin, accessAllLibraries: true, accessAllTags: true, accessExplicitContent: true } },
        purpose: `create ${name}`,
      });
    },
  };
};
