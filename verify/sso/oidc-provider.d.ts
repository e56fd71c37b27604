// The few parts of oidc-provider (which ships no types) the loopback issuer uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "http";

  interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }
  interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  interface GrantConstructor {
    new (init: { clientId: string; accountId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }
  interface Context {
    oidc: { client: { clientId: string }; session: { accountId: string; grantIdFor(clientId: string): string | undefined }; provider: { Grant: GrantConstructor } };
  }
  interface Configuration {
    clients: Record<string, unknown>[];
    findAccount(ctx: unknown, id: string): Promise<Account | undefined>;
    claims: Record<string, string[]>;
    conformIdTokenClaims: boolean;
    features: Record<string, { enabled: boolean }>;
    interactions: { url(ctx: unknown, interaction: { uid: string }): string };
    loadExistingGrant(ctx: Context): Promise<Grant | undefined>;
    cookies: { keys: string[] };
  }
  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ prompt: { name: string } }>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options: { mergeWithLastSubmission: boolean }): Promise<void>;
    on(event: "server_error", listener: (ctx: unknown, err: Error) => void): void;
  }
}
