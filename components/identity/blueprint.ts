// Authentik blueprints written in TypeScript. Each entry's attributes are
// typed by the request model of the official API package (@goauthentik/api,
// the release the server runs), so a misspelt field or a wrong value fails
// `tsc`; references between entries are blueprint tags (!KeyOf, !Find, !Env)
// that `blueprintReferences` checks. Rendered as YAML 1.1, which Authentik's
// PyYAML reads (a bare `on` or `12:30` would change meaning otherwise).
import type * as ak from "@goauthentik/api";
import { CollectionTag, Scalar, ScalarTag, YAMLSeq, parse, stringify } from "yaml";

/** A blueprint tag: resolved by Authentik when it applies the blueprint. */
export class AkTag {
  constructor(
    readonly tag: "!KeyOf" | "!Find" | "!Env" | "!Format",
    readonly args: string | unknown[],
  ) {}
}

/** The primary key of the entry with this `id` in the same blueprint. */
export const keyOf = (id: string) => new AkTag("!KeyOf", id);
/** The primary key of an existing object: the first of `model` whose fields have these values. */
export const find = (model: ModelId, ...pairs: [string, string][]) => new AkTag("!Find", [model, ...pairs]);
/** A variable of the worker's environment (secrets never enter the file). */
export const env = (name: string) => new AkTag("!Env", name);
/** Python %-formatting of its arguments (tags included), e.g. a header built around an !Env secret. */
export const format = (template: string, ...args: unknown[]) => new AkTag("!Format", [template, ...args]);

/** Blueprint-only fields the API's request models lack (Authentik's blueprint model docs). */
interface RoleFields {
  /** Permission codenames, e.g. authentik_core.view_user. */
  permissions?: string[];
}
interface TokenFields {
  /** The token's value; settable from blueprints only. */
  key?: string;
}

/** The models the homelab's blueprints use, by Authentik's model id, with the request model that types them. */
export interface Models {
  "authentik_core.group": ak.GroupRequest;
  "authentik_core.user": ak.UserRequest;
  "authentik_core.token": ak.TokenRequest & TokenFields;
  "authentik_core.application": ak.ApplicationRequest;
  "authentik_rbac.role": ak.RoleRequest & RoleFields;
  "authentik_providers_oauth2.oauth2provider": ak.OAuth2ProviderRequest;
  "authentik_providers_saml.samlprovider": ak.SAMLProviderRequest;
  "authentik_providers_saml.samlpropertymapping": ak.SAMLPropertyMappingRequest;
  "authentik_providers_oauth2.scopemapping": ak.ScopeMappingRequest;
  "authentik_policies.policybinding": ak.PolicyBindingRequest;
  "authentik_policies_event_matcher.eventmatcherpolicy": ak.EventMatcherPolicyRequest;
  "authentik_flows.flow": ak.FlowRequest;
  "authentik_flows.flowstagebinding": ak.FlowStageBindingRequest;
  "authentik_stages_invitation.invitationstage": ak.InvitationStageRequest;
  "authentik_stages_prompt.prompt": ak.PromptRequest;
  "authentik_stages_prompt.promptstage": ak.PromptStageRequest;
  "authentik_stages_user_write.userwritestage": ak.UserWriteStageRequest;
  "authentik_stages_user_login.userloginstage": ak.UserLoginStageRequest;
  "authentik_stages_authenticator_validate.authenticatorvalidatestage": ak.AuthenticatorValidateStageRequest;
  "authentik_events.notificationtransport": ak.NotificationTransportRequest;
  "authentik_events.notificationrule": ak.NotificationRuleRequest;
  "authentik_events.notificationwebhookmapping": ak.NotificationWebhookMappingRequest;
}
/** Models referenced with !Find but never written by us (built-ins: flows' stages, keys, scope mappings). */
export type BuiltInModelId =
  | "authentik_crypto.certificatekeypair"
  | "authentik_stages_authenticator_totp.authenticatortotpstage"
  | "authentik_stages_authenticator_webauthn.authenticatorwebauthnstage"
  | "authentik_stages_authenticator_static.authenticatorstaticstage";
export type ModelId = keyof Models | BuiltInModelId;

/** A request model's fields, each also accepting a tag (a reference or an environment variable), lists item by item. */
export type Attrs<T> = { [K in keyof T]?: NonNullable<T[K]> extends (infer U)[] ? (U | AkTag)[] : T[K] | AkTag };

export interface Entry<M extends keyof Models> {
  model: M;
  /** How !KeyOf names it. */
  id?: string;
  /** Fields that find the object (and are set when it is created). */
  identifiers: Attrs<Models[M]>;
  /** Fields Authentik sets on every apply. */
  attrs?: Attrs<Models[M]>;
}
export type AnyEntry = { [M in keyof Models]: Entry<M> }[keyof Models];

/** One entry, its model inferring the attributes' type. */
export const entry = <M extends keyof Models>(e: Entry<M>): Entry<M> => e;

export interface Blueprint {
  /** metadata.name: unique among the instance's blueprints. */
  name: string;
  description: string;
  entries: AnyEntry[];
}

/** The request models are camelCase; blueprints speak the API's snake_case. */
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function toWire(value: unknown): unknown {
  if (value instanceof AkTag) return value;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[snake(k), toWire(v)]])));
  return value;
}

const tagNames = ["!KeyOf", "!Find", "!Env", "!Format"] as const;
const scalarTags: ScalarTag[] = tagNames.map((tag) => ({
  tag,
  identify: (v) => v instanceof AkTag && v.tag === tag && !Array.isArray(v.args),
  createNode: (_schema, v) => Object.assign(new Scalar((v as AkTag).args), { tag }),
  resolve: (s) => new AkTag(tag, s),
}));
const seqTags: CollectionTag[] = tagNames.map((tag) => ({
  tag,
  collection: "seq",
  identify: (v) => v instanceof AkTag && v.tag === tag && Array.isArray(v.args),
  createNode: (schema, v, ctx) => Object.assign(YAMLSeq.from(schema, (v as AkTag).args, ctx), { tag, flow: true }),
  resolve: (seq) => new AkTag(tag, (seq as YAMLSeq).toJSON() as unknown[]),
}));
/** The tags as the yaml package reads and writes them. */
export const blueprintTags = [...seqTags, ...scalarTags];

/** The blueprint file Authentik's worker reads from its blueprints directory. */
export function renderBlueprint(b: Blueprint): string {
  const doc = {
    version: 1,
    metadata: { name: b.name, labels: { "blueprints.goauthentik.io/description": b.description } },
    entries: b.entries.map((e) => toWire({ model: e.model, ...(e.id ? { id: e.id } : {}), state: "present", identifiers: e.identifiers, ...(e.attrs ? { attrs: e.attrs } : {}) })),
  };
  return stringify(doc, { customTags: blueprintTags, version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Objects Authentik creates itself (its default and system blueprints) that
 * ours find by a field: a !Find to anything else would silently resolve to
 * nothing, so the test holds every !Find to an entry or one of these.
 */
export const builtIns: { model: ModelId; field: string; value: string }[] = [
  ...[
    "default-authentication-flow",
    "default-provider-authorization-implicit-consent",
    "default-provider-invalidation-flow",
    "default-invalidation-flow",
  ].map((value) => ({ model: "authentik_flows.flow" as const, field: "slug", value })),
  ...["openid", "email", "profile", "offline_access"].map((s) => ({ model: "authentik_providers_oauth2.scopemapping" as const, field: "managed", value: `goauthentik.io/providers/oauth2/scope-${s}` })),
  { model: "authentik_crypto.certificatekeypair", field: "name", value: "authentik Self-signed Certificate" },
  { model: "authentik_stages_authenticator_totp.authenticatortotpstage", field: "name", value: "default-authenticator-totp-setup" },
  { model: "authentik_stages_authenticator_webauthn.authenticatorwebauthnstage", field: "name", value: "default-authenticator-webauthn-setup" },
  { model: "authentik_core.group", field: "name", value: "authentik Admins" },
];

function tagsIn(value: unknown, found: AkTag[] = []): AkTag[] {
  if (value instanceof AkTag) found.push(value);
  else if (Array.isArray(value)) value.forEach((v) => tagsIn(v, found));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => tagsIn(v, found));
  return found;
}

/**
 * Every reference of a blueprint that does not resolve: a !KeyOf to no
 * entry's id (or to a later entry: Authentik applies them in order), a !Find
 * that matches neither an entry's identifier nor a built-in, an !Env outside
 * the given environment. Read from the rendered file, as Authentik reads it.
 */
export function blueprintReferences(rendered: string, environment: readonly string[]): string[] {
  const doc = parse(rendered, { customTags: blueprintTags, version: "1.1" }) as { entries: { model: string; id?: string; identifiers: Record<string, unknown>; attrs?: Record<string, unknown> }[] };
  const problems: string[] = [];
  const seen = new Set<string>();
  doc.entries.forEach((e, i) => {
    const where = `entry ${i + 1} (${e.model}${e.id ? ` ${e.id}` : ""})`;
    for (const t of tagsIn([e.identifiers, e.attrs])) {
      if (t.tag === "!KeyOf" && !seen.has(String(t.args))) {
        problems.push(`${where}: !KeyOf ${String(t.args)} names no earlier entry; expected the id of an entry above it`);
      } else if (t.tag === "!Find") {
        const [model, ...pairs] = t.args as [string, ...[string, unknown][]];
        const matchesEntry = doc.entries.some((o) => o.model === model && pairs.every(([k, v]) => o.identifiers[k] === v));
        const matchesBuiltIn = pairs.length === 1 && builtIns.some((b) => b.model === model && b.field === pairs[0][0] && b.value === pairs[0][1]);
        if (!matchesEntry && !matchesBuiltIn) problems.push(`${where}: !Find ${JSON.stringify(t.args)} matches no entry and no built-in object; expected one of them`);
      } else if (t.tag === "!Env" && !environment.includes(String(t.args))) {
        problems.push(`${where}: !Env ${String(t.args)} is not in the worker's environment; expected one of the variables the program sets`);
      }
    }
    if (e.id) seen.add(e.id);
  });
  return problems;
}
