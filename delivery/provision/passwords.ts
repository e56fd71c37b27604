// Initial passwords: derived, never stored or sent. The account a family
// member gets in an app starts with HMAC(key, "<app>:<username>"); the admin
// prints it with `npm run delivery -- initial-password` to hand it over, and
// the member changes it at the first sign-in. The provisioner's own admin
// account in each app is derived the same way, so nothing else holds it.
import { createHmac } from "crypto";
import { passwordKeyBitwarden } from "../../components/identity/blueprints";

/** The account the provisioner signs in to each app with (and claims a fresh app as). */
export const provisionerAccount = "homelab-provisioner";

/** Refuses a key that is not the generated one (empty, or too short to be it). */
export function checkPasswordKey(key: string): void {
  if (key.length < 32) throw new Error(`PROVISIONING_PASSWORD_KEY: expected the Bitwarden secret ${passwordKeyBitwarden} (at least 32 characters)`);
}

/** 24 characters of base64url: 144 bits, and only letters, digits, - and _ (no app refuses them). */
export function initialPassword(key: string, app: string, username: string): string {
  checkPasswordKey(key);
  return createHmac("sha256", key).update(`${app}:${username}`).digest("base64url").slice(0, 24);
}
