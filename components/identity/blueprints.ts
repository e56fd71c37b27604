// The homelab's whole Authentik structure, as one blueprint computed from the
// catalog: the two groups, MFA for admins, invitation-only enrollment, an
// OIDC client for every SSO gate and every app with its own OIDC login, the
// admin applications (Authentik itself, Omni by SAML, Argo CD), service
// accounts with the least rights each needs, and the webhook that starts the
// provisioning workflow on user and group changes. Pure: secrets are
// !Env variables of the worker, whose values the identity plane generates.
import type { ServiceEntry } from "../../services/entry";
import { ssoGates } from "../service/ssoGate";
import { AnyEntry, Blueprint, entry, env, find, keyOf } from "./blueprint";
import { GroupName, allowedGroups, groups } from "./groups";
import { bodyExpression, dispatchTokenEnv, dispatchUrl, headersExpression, webhookSecretEnv } from "./provisioning";

export interface IdentityInputs {
  /** The public domain: Authentik is auth.<domain>, the apps <subdomain>.<domain>. */
  domain: string;
  /** Omni's hostname (its SAML service provider). */
  omniHostname: string;
  /** Every catalog entry, on every cluster. */
  catalog: readonly ServiceEntry[];
  /** owner/name of the GitHub repository whose provision.yml user and group changes start. */
  provisioningRepository: string;
  /** Cloudflare Access's team name, when Access asks Authentik who may reach the admin hostnames. */
  accessTeam?: string;
}

/** An OpenID Connect client registered in Authentik: an SSO gate or an app's own login. */
export interface OidcClient {
  /** Client id and application slug. */
  slug: string;
  name: string;
  redirectUris: string[];
  admits: GroupName[];
  launchUrl: string;
  /** The worker's variable holding the client secret. */
  secretEnv: string;
  /** The Bitwarden secret the app (or its gate) reads the same value from. */
  bitwarden: string;
  /** Left out of the family's app list (a gate whose app has its own login tile). */
  hidden: boolean;
}

/** A service account: what it is for and the permissions it gets, nothing more. */
export interface ServiceAccount {
  name: string;
  why: string;
  permissions: string[];
}

/** Admin applications that are not catalog entries. */
export const adminSubdomains = { authentik: "auth", argocd: "argocd" } as const;

/** The service accounts and their least rights (Authentik permission codenames). */
export const serviceAccounts: ServiceAccount[] = [
  { name: "ci-github", why: "the delivery workflows read who is in which group when they provision accounts", permissions: ["authentik_core.view_user", "authentik_core.view_group"] },
  { name: "argocd", why: "Argo CD lists groups for its RBAC mapping", permissions: ["authentik_core.view_group"] },
  { name: "backup", why: "exports the configuration (blueprints, applications, providers) next to the database dump", permissions: ["authentik_blueprints.view_blueprintinstance", "authentik_core.view_application", "authentik_core.view_group", "authentik_flows.view_flow"] },
  { name: "n8n", why: "automations create accounts in native-login apps for new family members", permissions: ["authentik_core.view_user", "authentik_core.view_group"] },
];

/** A variable name for the worker's environment. */
const envName = (prefix: string, name: string) => `${prefix}_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
export const tokenEnv = (account: string) => envName("AK_TOKEN", account);
/** The Bitwarden secrets of what the identity plane generates besides the clients: service-account tokens, the webhook's secret, the initial passwords' key. */
export const tokenBitwarden = (account: string) => `authentik-${account}-token`;
export const webhookSecretBitwarden = "authentik-provisioning-webhook-secret";
export const passwordKeyBitwarden = "provisioning-password-key";

/** Every OIDC client: the gates of every tunnel entry, each app's own login, Argo CD. */
/** Cloudflare Access's client: it signs admins in before an admin hostname answers at all. */
export const accessClientId = "cloudflare-access";

export function oidcClients(inputs: Pick<IdentityInputs, "domain" | "catalog" | "accessTeam">): OidcClient[] {
  const { domain, catalog } = inputs;
  const clients: OidcClient[] = [];
  for (const e of catalog) {
    if (e.exposure.kind !== "tunnel") continue;
    const origin = `https://${e.exposure.subdomain}.${domain}`;
    for (const g of ssoGates(e, domain)) {
      clients.push({
        slug: g.name,
        name: g.paths.length ? `${e.dashboard.title} (admin pages)` : e.dashboard.title,
        redirectUris: [`${origin}${g.proxyPrefix}/callback`],
        admits: g.allowedGroups as GroupName[],
        launchUrl: `${origin}${g.paths[0] ?? "/"}`,
        secretEnv: envName("AK_OIDC_SECRET", g.name),
        bitwarden: `${g.name}-client-secret`,
        hidden: e.oidc !== undefined || g.paths.length > 0,
      });
    }
    if (e.oidc) {
      clients.push({
        slug: e.name,
        name: e.dashboard.title,
        redirectUris: [...e.oidc.redirectPaths.map((p) => `${origin}${p}`), ...(e.oidc.otherRedirectUris ?? [])],
        // A native-login app that offers Authentik too admits the family (its own accounts stay open).
        admits: e.auth === "admin" ? [groups.admin] : allowedGroups("sso"),
        launchUrl: `${origin}/`,
        secretEnv: envName("AK_OIDC_SECRET", e.name),
        bitwarden: `${e.name}-oidc-client-secret`,
        hidden: false,
      });
    }
  }
  const argocd = `https://${adminSubdomains.argocd}.${domain}`;
  clients.push({
    slug: "argocd",
    name: "Argo CD",
    // The web UI, and `argocd login --sso` on an admin's machine.
    redirectUris: [`${argocd}/auth/callback`, "http://localhost:8085/auth/callback"],
    admits: [groups.admin],
    launchUrl: `${argocd}/`,
    secretEnv: envName("AK_OIDC_SECRET", "argocd"),
    bitwarden: "argocd-oidc-client-secret",
    hidden: false,
  });
  if (inputs.accessTeam) {
    clients.push({
      slug: accessClientId,
      name: "Cloudflare Access",
      redirectUris: [`https://${inputs.accessTeam}.cloudflareaccess.com/cdn-cgi/access/callback`],
      admits: [groups.admin],
      launchUrl: `https://${inputs.accessTeam}.cloudflareaccess.com/`,
      secretEnv: envName("AK_OIDC_SECRET", accessClientId),
      // Cloudflare holds it (the TunnelEdge gives it to Access); no app reads it from Bitwarden.
      bitwarden: "",
      hidden: true,
    });
  }
  return clients;
}

/** The Bitwarden secrets the identity plane generates and writes (the apps and their gates read them; nobody types them). */
export function generatedBitwardenSecrets(inputs: Pick<IdentityInputs, "domain" | "catalog" | "accessTeam">): string[] {
  return [
    ...oidcClients(inputs)
      .map((c) => c.bitwarden)
      .filter(Boolean),
    ...inputs.catalog.flatMap((e) => ssoGates(e, inputs.domain)).map((g) => `${g.name}-cookie-secret`),
    ...serviceAccounts.map((a) => tokenBitwarden(a.name)),
    webhookSecretBitwarden,
    passwordKeyBitwarden,
  ];
}

/** Every variable the blueprint reads from the worker's environment. */
export function blueprintEnvironment(inputs: IdentityInputs): string[] {
  return [...oidcClients(inputs).map((c) => c.secretEnv), ...serviceAccounts.map((a) => tokenEnv(a.name)), webhookSecretEnv, dispatchTokenEnv];
}

const flowBySlug = (slug: string) => find("authentik_flows.flow", ["slug", slug]);
const scope = (name: string) => find("authentik_providers_oauth2.scopemapping", ["managed", `goauthentik.io/providers/oauth2/scope-${name}`]);
const signingKey = find("authentik_crypto.certificatekeypair", ["name", "authentik Self-signed Certificate"]);
const groupIds: Record<GroupName, string> = { [groups.admin]: "group-admin", [groups.family]: "group-family", [groups.gamers]: "group-gamers" };
const groupId = (g: GroupName) => groupIds[g];

/** Bindings that let only these groups use an application (and see it in their list). */
const bindings = (target: string, admits: GroupName[]): AnyEntry[] =>
  admits.map((g, order) => entry({ model: "authentik_policies.policybinding", identifiers: { target: keyOf(target), order }, attrs: { group: keyOf(groupId(g)), negate: false, enabled: true, timeout: 30 } }));

function groupEntries(): AnyEntry[] {
  return [
    // Admins administer Authentik itself too.
    entry({ model: "authentik_core.group", id: "group-admin", identifiers: { name: groups.admin }, attrs: { isSuperuser: true } }),
    entry({ model: "authentik_core.group", id: "group-family", identifiers: { name: groups.family }, attrs: { isSuperuser: false } }),
    // Who may start the gaming VM (the launch page checks it); an admin adds family members to it.
    entry({ model: "authentik_core.group", id: "group-gamers", identifiers: { name: groups.gamers }, attrs: { isSuperuser: false } }),
  ];
}

/** A second validation stage in the login flow, for group admin only: TOTP or a security key, enrolled at the first login (NFR-007). */
function adminMfaEntries(): AnyEntry[] {
  return [
    entry({
      model: "authentik_stages_authenticator_validate.authenticatorvalidatestage",
      id: "admin-mfa",
      identifiers: { name: "homelab-admin-mfa" },
      attrs: {
        notConfiguredAction: "configure",
        deviceClasses: ["totp", "webauthn"],
        configurationStages: [
          find("authentik_stages_authenticator_totp.authenticatortotpstage", ["name", "default-authenticator-totp-setup"]),
          find("authentik_stages_authenticator_webauthn.authenticatorwebauthnstage", ["name", "default-authenticator-webauthn-setup"]),
        ],
      },
    }),
    // The user is known only once identified: the binding's group policy runs then, not when the flow is planned.
    entry({
      model: "authentik_flows.flowstagebinding",
      id: "admin-mfa-binding",
      identifiers: { target: flowBySlug("default-authentication-flow"), stage: keyOf("admin-mfa"), order: 35 },
      attrs: { evaluateOnPlan: false, reEvaluatePolicies: true },
    }),
    ...bindings("admin-mfa-binding", [groups.admin]),
  ];
}

/**
 * Sign-up by invitation only: the flow starts with an invitation stage that
 * refuses to go on without one, and no login page links to it. New accounts
 * join no group: an admin adds them to family-validated (the runbook).
 */
function enrollmentEntries(): AnyEntry[] {
  const prompts: [string, string, "username" | "text" | "email" | "password"][] = [
    ["username", "Username", "username"],
    ["name", "Full name", "text"],
    ["email", "Email", "email"],
    ["password", "Password", "password"],
    ["password_repeat", "Password (again)", "password"],
  ];
  const stages: [string, number][] = [
    ["enrollment-invitation", 10],
    ["enrollment-prompt", 20],
    ["enrollment-write", 30],
    ["enrollment-login", 40],
  ];
  return [
    entry({
      model: "authentik_flows.flow",
      id: "enrollment-flow",
      identifiers: { slug: "homelab-enrollment" },
      attrs: { name: "Join the family homelab", title: "Join the family homelab", designation: "enrollment", authentication: "require_unauthenticated" },
    }),
    entry({ model: "authentik_stages_invitation.invitationstage", id: "enrollment-invitation", identifiers: { name: "homelab-enrollment-invitation" }, attrs: { continueFlowWithoutInvitation: false } }),
    ...prompts.map(([fieldKey, label, type], order) =>
      entry({ model: "authentik_stages_prompt.prompt", id: `prompt-${fieldKey}`, identifiers: { name: `homelab-enrollment-${fieldKey}` }, attrs: { fieldKey, label, type, required: true, order, placeholder: label } }),
    ),
    entry({ model: "authentik_stages_prompt.promptstage", id: "enrollment-prompt", identifiers: { name: "homelab-enrollment-prompt" }, attrs: { fields: prompts.map(([k]) => keyOf(`prompt-${k}`)) } }),
    entry({ model: "authentik_stages_user_write.userwritestage", id: "enrollment-write", identifiers: { name: "homelab-enrollment-write" }, attrs: { userCreationMode: "always_create", userType: "internal", userPathTemplate: "family" } }),
    entry({ model: "authentik_stages_user_login.userloginstage", id: "enrollment-login", identifiers: { name: "homelab-enrollment-login" }, attrs: { sessionDuration: "days=7" } }),
    ...stages.map(([stage, order]) =>
      entry({ model: "authentik_flows.flowstagebinding", identifiers: { target: keyOf("enrollment-flow"), stage: keyOf(stage), order }, attrs: { evaluateOnPlan: true, reEvaluatePolicies: false } }),
    ),
  ];
}

/**
 * Accounts exist only by invitation and an admin's check, so their address
 * counts as verified: oauth2-proxy refuses an unverified one, which
 * Authentik's own email scope reports since 2025.10.
 */
function emailScopeEntry(): AnyEntry {
  return entry({
    model: "authentik_providers_oauth2.scopemapping",
    id: "scope-email-verified",
    identifiers: { name: "homelab: email (invited accounts)" },
    attrs: { scopeName: "email", description: "Your email address", expression: 'return {"email": request.user.email, "email_verified": True}' },
  });
}

function oidcEntries(client: OidcClient): AnyEntry[] {
  const provider = `provider-${client.slug}`;
  const app = `app-${client.slug}`;
  return [
    entry({
      model: "authentik_providers_oauth2.oauth2provider",
      id: provider,
      identifiers: { name: client.slug },
      attrs: {
        authorizationFlow: flowBySlug("default-provider-authorization-implicit-consent"),
        invalidationFlow: flowBySlug("default-provider-invalidation-flow"),
        clientType: "confidential",
        clientId: client.slug,
        clientSecret: env(client.secretEnv),
        redirectUris: client.redirectUris.map((url) => ({ matchingMode: "strict" as const, url })),
        // The groups claim rides on the profile scope.
        propertyMappings: [scope("openid"), keyOf("scope-email-verified"), scope("profile")],
        signingKey,
        subMode: "hashed_user_id",
        issuerMode: "per_provider",
      },
    }),
    entry({
      model: "authentik_core.application",
      id: app,
      identifiers: { slug: client.slug },
      attrs: { name: client.name, provider: keyOf(provider), metaLaunchUrl: client.launchUrl, metaHide: client.hidden, policyEngineMode: "any" },
    }),
    ...bindings(app, client.admits),
  ];
}

/** Omni signs in by SAML: its identity is the email, and members of admin carry the role its label rule makes an Omni Admin. */
function omniEntries(omniHostname: string): AnyEntry[] {
  const omni = `https://${omniHostname}`;
  return [
    entry({
      model: "authentik_providers_saml.samlpropertymapping",
      id: "omni-email",
      identifiers: { name: "homelab: Omni identity (email)" },
      attrs: { samlName: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", expression: "return request.user.email" },
    }),
    entry({
      model: "authentik_providers_saml.samlpropertymapping",
      id: "omni-role",
      identifiers: { name: "homelab: Omni role" },
      attrs: { samlName: "role", expression: `return "omni-admin" if ak_is_group_member(request.user, name="${groups.admin}") else "omni-none"` },
    }),
    entry({
      model: "authentik_providers_saml.samlprovider",
      id: "provider-omni",
      identifiers: { name: "omni" },
      attrs: {
        authorizationFlow: flowBySlug("default-provider-authorization-implicit-consent"),
        invalidationFlow: flowBySlug("default-provider-invalidation-flow"),
        acsUrl: `${omni}/saml/acs`,
        audience: `${omni}/saml/metadata`,
        spBinding: "post",
        signingKp: signingKey,
        signAssertion: true,
        signResponse: true,
        propertyMappings: [keyOf("omni-email"), keyOf("omni-role")],
        nameIdMapping: keyOf("omni-email"),
      },
    }),
    entry({ model: "authentik_core.application", id: "app-omni", identifiers: { slug: "omni" }, attrs: { name: "Omni", provider: keyOf("provider-omni"), metaLaunchUrl: `${omni}/`, policyEngineMode: "any" } }),
    ...bindings("app-omni", [groups.admin]),
  ];
}

/** Authentik's own admin pages, as a tile only admins see (the pages themselves need a superuser). */
function authentikAdminEntries(domain: string): AnyEntry[] {
  return [
    entry({
      model: "authentik_core.application",
      id: "app-authentik-admin",
      identifiers: { slug: "authentik-admin" },
      attrs: { name: "Authentik (admin)", metaLaunchUrl: `https://${adminSubdomains.authentik}.${domain}/if/admin/`, policyEngineMode: "any" },
    }),
    ...bindings("app-authentik-admin", [groups.admin]),
  ];
}

function serviceAccountEntries(): AnyEntry[] {
  return serviceAccounts.flatMap((a) => [
    entry({ model: "authentik_rbac.role", id: `role-${a.name}`, identifiers: { name: `homelab-${a.name}` }, attrs: { permissions: a.permissions } }),
    entry({ model: "authentik_core.user", id: `sa-${a.name}`, identifiers: { username: a.name }, attrs: { name: `${a.name} (service account: ${a.why})`, type: "service_account", path: "service-accounts", isActive: true, roles: [keyOf(`role-${a.name}`)] } }),
    entry({
      model: "authentik_core.token",
      identifiers: { identifier: `${a.name}-api` },
      attrs: { user: keyOf(`sa-${a.name}`), intent: "api", expiring: false, description: a.why, key: env(tokenEnv(a.name)) },
    }),
  ]);
}

/** User and group changes start the provisioning workflow (components/identity/provisioning.ts). */
function provisioningEntries(repository: string): AnyEntry[] {
  return [
    entry({ model: "authentik_events.notificationwebhookmapping", id: "provisioning-headers", identifiers: { name: "homelab: provisioning dispatch headers" }, attrs: { expression: headersExpression } }),
    entry({ model: "authentik_events.notificationwebhookmapping", id: "provisioning-body", identifiers: { name: "homelab: provisioning dispatch body" }, attrs: { expression: bodyExpression } }),
    entry({
      model: "authentik_events.notificationtransport",
      id: "provisioning-transport",
      identifiers: { name: "homelab-provisioning" },
      // sendOnce: one dispatch per change, not one per member of the rule's group.
      attrs: { mode: "webhook", webhookUrl: dispatchUrl(repository), webhookMappingHeaders: keyOf("provisioning-headers"), webhookMappingBody: keyOf("provisioning-body"), sendOnce: true },
    }),
    ...(["user", "group"] as const).map((model) =>
      entry({ model: "authentik_policies_event_matcher.eventmatcherpolicy", id: `changes-${model}`, identifiers: { name: `homelab: ${model} changes` }, attrs: { model: `authentik_core.${model}` } }),
    ),
    entry({
      model: "authentik_events.notificationrule",
      id: "provisioning-rule",
      identifiers: { name: "homelab: provision accounts" },
      attrs: { transports: [keyOf("provisioning-transport")], severity: "notice", destinationGroup: keyOf("group-admin") },
    }),
    ...(["user", "group"] as const).map((model, order) =>
      entry({ model: "authentik_policies.policybinding", identifiers: { target: keyOf("provisioning-rule"), order }, attrs: { policy: keyOf(`changes-${model}`), enabled: true, timeout: 30 } }),
    ),
  ];
}

export function homelabBlueprint(inputs: IdentityInputs): Blueprint {
  return {
    name: "homelab",
    description: "The family homelab's groups, flows, applications and service accounts (generated by the program; edits are overwritten)",
    entries: [
      ...groupEntries(),
      ...adminMfaEntries(),
      ...enrollmentEntries(),
      emailScopeEntry(),
      ...oidcClients(inputs).flatMap(oidcEntries),
      ...omniEntries(inputs.omniHostname),
      ...authentikAdminEntries(inputs.domain),
      ...serviceAccountEntries(),
      ...provisioningEntries(inputs.provisioningRepository),
    ],
  };
}
