// A real OpenID Connect issuer on loopback (oidc-provider) standing in for
// Authentik in the access-matrix check: the same clients (one per SSO gate),
// the groups claim Authentik sends, and a login form that a test user fills
// in by name. It grants every client whoever signs in, like an application
// with no binding: the SSO proxy's group check alone decides, so the check
// proves that layer by itself.
import * as http from "http";
import { Provider } from "oidc-provider";

export interface MatrixUser {
  /** The login name typed in the form. */
  id: string;
  email: string;
  groups: string[];
}

export interface IssuerClient {
  clientId: string;
  secret: string;
  redirectUris: string[];
}

export interface RunningIssuer {
  url: string;
  close(): Promise<void>;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/** Starts the issuer on a port of the system's choosing (its URL, the issuer string, is known once it listens). */
export async function startIssuer(clients: IssuerClient[], users: MatrixUser[]): Promise<RunningIssuer> {
  let route: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => route(req, res));
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
  const url = `http://127.0.0.1:${port}`;
  const byId = new Map(users.map((u) => [u.id, u]));
  const provider = new Provider(url, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.secret,
      redirect_uris: c.redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    async findAccount(_ctx, id) {
      const u = byId.get(id);
      if (!u) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: u.email, email_verified: true, preferred_username: id, groups: u.groups }) };
    },
    // Authentik releases groups with the profile scope, as this does.
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["preferred_username", "groups"] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party clients: consent is implied, as Authentik's implicit-consent flow does.
    async loadExistingGrant(ctx) {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
    cookies: { keys: ["access-matrix-check-only"] },
  });
  provider.on("server_error", (_ctx, err) => console.error(`issuer: ${err.message}`));
  const handler = provider.callback();
  route = (req, res) => {
    if (!/^\/interaction\/[^/?]+/.test(req.url ?? "")) return handler(req, res);
    void (async () => {
      try {
        await provider.interactionDetails(req, res);
        if (req.method === "GET") {
          res.setHeader("content-type", "text/html");
          res.end('<form method="post"><input name="login"><button>Sign in</button></form>');
          return;
        }
        const login = (await readForm(req)).get("login") ?? "";
        const result = byId.has(login) ? { login: { accountId: login } } : { error: "access_denied", error_description: "unknown user" };
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      } catch (e) {
        res.statusCode = 400;
        res.end(e instanceof Error ? e.message : String(e));
      }
    })();
  };
  return {
    url,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
