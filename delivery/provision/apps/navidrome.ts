// Navidrome's native API (the one its web UI uses, v0.58 to v0.63): a JWT
// from /auth/login in X-ND-Authorization; users at /api/user (admins only).
// The first admin is created by /auth/createAdmin, which refuses (403) once
// any user exists.
import { ApiError, jsonClient } from "../http";
import { provisionerAccount } from "../passwords";
import type { ClientFactory } from "./client";

interface Login {
  token: string;
  isAdmin: boolean;
}

export const navidromeClient: ClientFactory = (baseUrl, provisionerPassword, fetchImpl) => {
  const call = jsonClient("navidrome", baseUrl, fetchImpl);
  const credentials = { username: provisionerAccount, password: provisionerPassword };
  let token = "";
  const auth = () => ({ "X-ND-Authorization": `Bearer ${token}` });
  return {
    async signIn() {
      let claimed = false;
      let login: Login;
      try {
        login = await call<Login>("/auth/login", { method: "POST", body: credentials, purpose: `sign in as ${provisionerAccount}` });
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) throw e;
        // No such account: on a Navidrome nobody has set up, it becomes the first admin; elsewhere this refuses with 403.
        try {
          login = await call<Login>("/auth/createAdmin", { method: "POST", body: credentials, purpose: `create the first admin ${provisionerAccount}` });
          claimed = true;
        } catch (e2) {
          if (e2 instanceof ApiError && e2.status === 403) throw new Error(`navidrome: ${provisionerAccount} cannot sign in and the first admin exists; expected an admin account ${provisionerAccount} with the password \`npm run delivery -- initial-password --app navidrome --user ${provisionerAccount}\` prints`);
          throw e2;
        }
      }
      if (!login.isAdmin) throw new Error(`navidrome: ${provisionerAccount} is not an admin; expected an admin account (only admins list and create users)`);
      token = login.token;
      return { claimed };
    },
    async accounts() {
      const users = await call<{ userName: string }[]>("/api/user?_start=0&_end=10000", { headers: auth(), purpose: "list the users" });
      return new Set(users.map((u) => u.userName.toLowerCase()));
    },
    accountName: (m) => ({ name: m.username }),
    async create(m, name, password) {
      await call("/api/user", { method: "POST", headers: auth(), body: { userName: name, name: m.name || name, email: m.email, password, isAdmin: m.admin }, purpose: `create ${name}` });
    },
  };
};
