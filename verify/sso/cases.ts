// What the access matrix asks and what it expects, derived from the catalog
// alone (tiers, bypass paths, admin paths), never from the gates under test:
// a gate rendered wrong then gives a wrong answer instead of a new
// expectation. Pure, so the expectations are tested directly.
import { groups } from "../../components/identity/groups";
import type { Manifest } from "../../components/platform/context";
import type { ServiceEntry } from "../../services/entry";
import type { MatrixUser } from "./issuer";

/** Signed-in users of the matrix; `anonymous` never signs in. */
export const matrixUsers: MatrixUser[] = [
  { id: "nogroup", email: "nogroup@family.test", groups: [] },
  { id: "family", email: "family@family.test", groups: [groups.family] },
  { id: "admin", email: "admin@family.test", groups: [groups.admin] },
];
export const userColumns = ["anonymous", ...matrixUsers.map((u) => u.id)] as const;

/** An answer: an HTTP status, or `login` when the user was sent to the issuer's sign-in form (anonymous stops there). */
export type Answer = number | "login";

export interface MatrixCase {
  entry: string;
  /** What the row says (the path and why it is asked). */
  label: string;
  method: "GET" | "POST";
  /** Raw request path, sent as is (no client-side normalisation). */
  path: string;
  headers?: Record<string, string>;
  /** Per column of userColumns. */
  expect: Answer[];
}

const signedIn = { everyone: [200, 200, 200, 200], family: ["login", 403, 200, 200], admin: ["login", 403, 403, 200] } satisfies Record<string, Answer[]>;

/** What the whole host answers each user, by tier. */
export function hostAnswers(entry: ServiceEntry): Answer[] {
  switch (entry.auth) {
    case "sso":
      return signedIn.family;
    case "admin":
      return signedIn.admin;
    default:
      return signedIn.everyone;
  }
}

/** The questions for one entry published through the tunnel. */
export function matrixCases(entry: ServiceEntry): MatrixCase[] {
  if (entry.exposure.kind !== "tunnel") return [];
  const host = hostAnswers(entry);
  const at = (label: string, path: string, expect: Answer[], more: Partial<MatrixCase> = {}): MatrixCase => ({ entry: entry.name, label, method: "GET", path, expect, ...more });
  const cases = [at("/", "/", host), at("an undeclared path", "/family-data/report.pdf", host)];
  for (const { path } of entry.exposure.bypassSso ?? []) {
    cases.push(at(`${path} (declared bypass)`, path, signedIn.everyone), at(`${path}/… (below the bypass)`, `${path}/deeper/item`, signedIn.everyone));
    cases.push(at(`POST ${path}/… (any method)`, `${path}/deeper`, signedIn.everyone, { method: "POST" }));
    // Near misses: a longer name, a climb out with `..`, a client naming the bypass in a header.
    cases.push(at(`${path}x (not the bypass)`, `${path}x`, host), at(`${path}/../ (climbs out)`, `${path}/../family-data`, host));
    cases.push(at(`/ claiming ${path} in X-Forwarded-Uri`, "/", host, { headers: { "X-Forwarded-Uri": path } }));
  }
  for (const { path } of entry.exposure.adminPaths ?? []) {
    cases.push(at(`${path} (admin path)`, path, signedIn.admin), at(`${path}/… (below the admin path)`, `${path}/settings`, signedIn.admin));
  }
  return cases;
}

/** Gateway API's PathPrefix: the prefix matches whole path elements (/admin matches /admin and /admin/x, not /administrator). */
export function prefixMatches(prefix: string, path: string): boolean {
  const p = prefix.replace(/\/+$/, "");
  const bare = path.split("?")[0];
  return p === "" || bare === p || bare.startsWith(`${p}/`);
}

/** The backend an HTTPRoute sends a path to: the rule with the longest matching prefix (a rule without matches is `/`). */
export function routeBackend(route: Manifest, path: string): { name: string; port: number } | undefined {
  const rules = (route.spec as { rules: { matches?: { path: { value: string } }[]; backendRefs: { name: string; port: number }[] }[] }).rules;
  let best: { length: number; backend: { name: string; port: number } } | undefined;
  for (const rule of rules) {
    for (const prefix of (rule.matches ?? [{ path: { value: "/" } }]).map((m) => m.path.value)) {
      if (prefixMatches(prefix, path) && (!best || prefix.length > best.length)) best = { length: prefix.length, backend: rule.backendRefs[0] };
    }
  }
  return best?.backend;
}
