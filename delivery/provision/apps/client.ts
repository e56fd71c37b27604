// What the provisioner needs of an app's account API, whatever the app.
import type { Fetch } from "../http";

/** A family member as Authentik knows them. */
export interface Member {
  username: string;
  name: string;
  email: string;
  /** In Authentik's admin group: an admin of the app too. */
  admin: boolean;
}

export interface AccountClient {
  /** Signs in as the provisioner's account; on an app nobody has set up yet, first creates it (the app's first admin). */
  signIn(): Promise<{ claimed: boolean }>;
  /** The app's account names, lowercased. */
  accounts(): Promise<Set<string>>;
  /** The name the member's account has in this app (its login), or why they cannot have one. */
  accountName(member: Member): { name: string } | { skip: string };
  /** Creates the member's account with this initial password. */
  create(member: Member, name: string, password: string): Promise<void>;
}

/** An app's client at its public URL, signing in as the provisioner with this password. */
export type ClientFactory = (baseUrl: string, provisionerPassword: string, fetchImpl?: Fetch) => AccountClient;
