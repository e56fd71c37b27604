import { parse } from "yaml";
import { AkTag, blueprintReferences, blueprintTags, entry, env, find, keyOf, renderBlueprint } from "../../components/identity/blueprint";
import { IdentityInputs, blueprintEnvironment, generatedBitwardenSecrets, homelabBlueprint, oidcClients, serviceAccounts } from "../../components/identity/blueprints";
import { IdentityPlane } from "../../components/IdentityPlane";
import { environReads } from "../../components/identity/provisioning";
import { omniAdminLabelRule } from "../../components/identity/omniSaml";
import { recordResources } from "../../plan/mockRuntime";
import { authentikWorkload, databaseSql } from "../../components/identity/authentikCompose";
import { composeProject, deployScript } from "../../components/omni/managementVm";
import { ssoGates } from "../../components/service/ssoGate";
import { catalog } from "../../services";

const inputs: IdentityInputs = { domain: "homelab.example", omniHostname: "omni.homelab.example", catalog, provisioningRepository: "homelab-admin/homelab" };
const rendered = renderBlueprint(homelabBlueprint(inputs));
type Doc = { version: number; metadata: { name: string }; entries: { model: string; id?: string; identifiers: Record<string, unknown>; attrs?: Record<string, unknown> }[] };
const doc = parse(rendered, { customTags: blueprintTags, version: "1.1" }) as Doc;
const byId = (id: string) => doc.entries.find((e) => e.id === id);
const tag = (t: unknown) => (t instanceof AkTag ? `${t.tag} ${JSON.stringify(t.args)}` : t);
/** The groups bound to an entry (the targets of its policy bindings), as their entry ids. */
const boundGroups = (target: string) =>
  doc.entries.filter((e) => e.model === "authentik_policies.policybinding" && tag(e.identifiers.target) === `!KeyOf "${target}"`).map((e) => tag(e.attrs?.group));

describe("the homelab blueprint", () => {
  it("renders every reference resolved: each !KeyOf to an earlier entry, each !Find to an entry or a built-in, each !Env to a variable the worker gets", () => {
    expect(doc).toMatchObject({ version: 1, metadata: { name: "homelab" } });
    expect(blueprintReferences(rendered, blueprintEnvironment(inputs))).toEqual([]);
  });

  it("has the two groups; admins are Authentik superusers, the family is not", () => {
    expect(byId("group-admin")).toMatchObject({ identifiers: { name: "admin" }, attrs: { is_superuser: true } });
    expect(byId("group-family")).toMatchObject({ identifiers: { name: "family-validated" }, attrs: { is_superuser: false } });
  });

  it("asks admins, and only admins, for a second factor at login, enrolled at the first", () => {
    expect(byId("admin-mfa")?.attrs).toMatchObject({ not_configured_action: "configure", device_classes: ["totp", "webauthn"] });
    const binding = byId("admin-mfa-binding");
    expect(tag(binding?.identifiers.target)).toBe('!Find ["authentik_flows.flow",["slug","default-authentication-flow"]]');
    // The user is known only after identification: the group check runs then.
    expect(binding?.attrs).toEqual({ evaluate_on_plan: false, re_evaluate_policies: true });
    expect(boundGroups("admin-mfa-binding")).toEqual(['!KeyOf "group-admin"']);
  });

  it("enrolls by invitation only, and new accounts join no group until an admin checks them", () => {
    expect(byId("enrollment-flow")?.attrs).toMatchObject({ designation: "enrollment", authentication: "require_unauthenticated" });
    expect(byId("enrollment-invitation")?.attrs).toEqual({ continue_flow_without_invitation: false });
    const stages = doc.entries.filter((e) => e.model === "authentik_flows.flowstagebinding" && tag(e.identifiers.target) === '!KeyOf "enrollment-flow"');
    expect(stages.map((s) => [tag(s.identifiers.stage), s.identifiers.order])).toEqual([
      ['!KeyOf "enrollment-invitation"', 10],
      ['!KeyOf "enrollment-prompt"', 20],
      ['!KeyOf "enrollment-write"', 30],
      ['!KeyOf "enrollment-login"', 40],
    ]);
    expect(byId("enrollment-write")?.attrs).not.toHaveProperty("create_users_group");
  });

  it("registers every SSO gate and every app's own login as an OIDC client, bound to the groups the gate admits", () => {
    const gates = catalog.flatMap((e) => ssoGates(e, inputs.domain));
    expect(gates.length).toBeGreaterThan(0);
    for (const g of gates) {
      const provider = byId(`provider-${g.name}`);
      expect(provider?.attrs).toMatchObject({ client_id: g.name, client_type: "confidential", redirect_uris: [{ matching_mode: "strict", url: `https://${g.hostname}${g.proxyPrefix}/callback` }] });
      expect(tag(provider?.attrs?.client_secret)).toMatch(/^!Env "AK_OIDC_SECRET_/);
      expect(boundGroups(`app-${g.name}`)).toEqual(g.allowedGroups.map((name) => `!KeyOf "${name === "admin" ? "group-admin" : "group-family"}"`));
    }
    for (const e of catalog.filter((x) => x.oidc)) {
      expect(byId(`provider-${e.name}`)?.attrs).toMatchObject({ client_id: e.name });
      // The app reads the client secret the identity plane generates, under the name it lists.
      expect(e.secrets.map((s) => s.bitwarden)).toContain(`${e.name}-oidc-client-secret`);
    }
    expect(oidcClients(inputs).find((c) => c.slug === "immich")?.redirectUris).toEqual(["https://photos.homelab.example/auth/login", "https://photos.homelab.example/user-settings", "app.immich:///oauth-callback"]);
    // One login tile per app: a gate in front of an app with its own login is hidden.
    expect(byId("app-vaultwarden-sso")?.attrs?.meta_hide).toBe(true);
    expect(byId("app-baikal-sso")?.attrs?.meta_hide).toBe(false);
  });

  it("sends a verified email claim (accounts are invited and checked), the groups on the profile scope", () => {
    expect(byId("scope-email-verified")?.attrs).toMatchObject({ scope_name: "email", expression: 'return {"email": request.user.email, "email_verified": True}' });
    expect((byId("provider-nextcloud-sso")?.attrs?.property_mappings as unknown[]).map(tag)).toEqual([
      '!Find ["authentik_providers_oauth2.scopemapping",["managed","goauthentik.io/providers/oauth2/scope-openid"]]',
      '!KeyOf "scope-email-verified"',
      '!Find ["authentik_providers_oauth2.scopemapping",["managed","goauthentik.io/providers/oauth2/scope-profile"]]',
    ]);
  });

  it("gives the admin applications (Authentik, Omni by SAML, Argo CD) to group admin alone", () => {
    for (const app of ["app-authentik-admin", "app-omni", "app-argocd"]) expect([app, boundGroups(app)]).toEqual([app, ['!KeyOf "group-admin"']]);
    expect(byId("provider-omni")?.attrs).toMatchObject({ acs_url: "https://omni.homelab.example/saml/acs", audience: "https://omni.homelab.example/saml/metadata", sp_binding: "post", sign_assertion: true });
    expect(byId("omni-role")?.attrs?.expression).toBe('return "omni-admin" if ak_is_group_member(request.user, name="admin") else "omni-none"');
    expect(byId("provider-argocd")?.attrs).toMatchObject({ client_id: "argocd", redirect_uris: [{ url: "https://argocd.homelab.example/auth/callback" }, { url: "http://localhost:8085/auth/callback" }] });
  });

  it("creates each service account with a role of its own permissions and a non-expiring API token from the environment", () => {
    expect(serviceAccounts.map((a) => a.name)).toEqual(["ci-github", "argocd", "backup", "n8n"]);
    for (const a of serviceAccounts) {
      expect(byId(`role-${a.name}`)?.attrs).toEqual({ permissions: a.permissions });
      expect(byId(`sa-${a.name}`)?.attrs).toMatchObject({ type: "service_account", path: "service-accounts", roles: [keyOf(`role-${a.name}`)] });
      const token = doc.entries.find((e) => e.model === "authentik_core.token" && e.identifiers.identifier === `${a.name}-api`);
      expect(token?.attrs).toMatchObject({ intent: "api", expiring: false });
      expect(tag(token?.attrs?.key)).toBe(`!Env "AK_TOKEN_${a.name.toUpperCase().replace(/-/g, "_")}"`);
      // Least rights: reading only, never a superuser group.
      expect(a.permissions.every((p) => /\.view_/.test(p))).toBe(true);
    }
  });

  it("starts the repository's provision.yml on user and group changes, the mappings reading their secrets from the worker's environment", () => {
    expect(byId("provisioning-transport")?.attrs).toMatchObject({
      mode: "webhook",
      webhook_url: "https://api.github.com/repos/homelab-admin/homelab/dispatches",
      webhook_mapping_headers: keyOf("provisioning-headers"),
      webhook_mapping_body: keyOf("provisioning-body"),
      send_once: true,
    });
    const expressions = ["provisioning-headers", "provisioning-body"].map((id) => byId(id)?.attrs?.expression as string);
    // Plain text: no secret is rendered into the blueprint (or Authentik's database).
    for (const e of expressions) expect(typeof e).toBe("string");
    expect(expressions.flatMap(environReads).sort()).toEqual(["AK_GITHUB_DISPATCH_TOKEN", "AK_PROVISIONING_WEBHOOK_SECRET"]);
    for (const name of expressions.flatMap(environReads)) expect(blueprintEnvironment(inputs)).toContain(name);
    expect(["changes-user", "changes-group"].map((id) => byId(id)?.attrs?.model)).toEqual(["authentik_core.user", "authentik_core.group"]);
  });

  it("is YAML 1.1, as Authentik's PyYAML reads it: words like on or yes stay strings", () => {
    const odd = renderBlueprint({ name: "t", description: "on", entries: [entry({ model: "authentik_core.group", identifiers: { name: "yes" } })] });
    expect(odd).toContain('name: "yes"');
    expect(odd).toContain('blueprints.goauthentik.io/description: "on"');
  });
});

describe("the reference check", () => {
  const check = (entries: Parameters<typeof renderBlueprint>[0]["entries"], envNames: string[] = []) => blueprintReferences(renderBlueprint({ name: "t", description: "t", entries }), envNames);

  it("fails a !KeyOf to no entry, or to a later one", () => {
    expect(check([entry({ model: "authentik_core.group", identifiers: { name: "x" }, attrs: { parents: [keyOf("nope")] } })])).toEqual([
      "entry 1 (authentik_core.group): !KeyOf nope names no earlier entry; expected the id of an entry above it",
    ]);
    const later = [entry({ model: "authentik_core.group", identifiers: { name: "a" }, attrs: { parents: [keyOf("b")] } }), entry({ model: "authentik_core.group", id: "b", identifiers: { name: "b" } })];
    expect(check(later)).toHaveLength(1);
    expect(check([...later].reverse())).toEqual([]);
  });

  it("fails a !Find that matches neither an entry nor a built-in", () => {
    expect(check([entry({ model: "authentik_core.group", identifiers: { name: "x" }, attrs: { parents: [find("authentik_core.group", ["name", "ghosts"])] } })])).toEqual([
      'entry 1 (authentik_core.group): !Find ["authentik_core.group",["name","ghosts"]] matches no entry and no built-in object; expected one of them',
    ]);
    expect(check([entry({ model: "authentik_core.group", identifiers: { name: "x" }, attrs: { parents: [find("authentik_core.group", ["name", "authentik Admins"])] } })])).toEqual([]);
    expect(check([entry({ model: "authentik_core.group", identifiers: { name: "x" } }), entry({ model: "authentik_core.group", identifiers: { name: "y" }, attrs: { parents: [find("authentik_core.group", ["name", "x"])] } })])).toEqual([]);
  });

  it("fails an !Env the worker does not get", () => {
    const e = [entry({ model: "authentik_events.notificationtransport", identifiers: { name: "t" }, attrs: { webhookUrl: env("HOOK") } })];
    expect(check(e)).toEqual(["entry 1 (authentik_events.notificationtransport): !Env HOOK is not in the worker's environment; expected one of the variables the program sets"]);
    expect(check(e, ["HOOK"])).toEqual([]);
  });

  it("types attributes by the API's request models, so a misspelt field or value does not compile", () => {
    // @ts-expect-error `nmae` is not a field of GroupRequest
    entry({ model: "authentik_core.group", identifiers: { nmae: "x" } });
    // @ts-expect-error `sometimes` is not a NotConfiguredActionEnum
    entry({ model: "authentik_stages_authenticator_validate.authenticatorvalidatestage", identifiers: { name: "x" }, attrs: { notConfiguredAction: "sometimes" } });
    expect(entry({ model: "authentik_core.group", identifiers: { name: "x" } }).model).toBe("authentik_core.group");
  });
});

describe("Authentik on the management VM", () => {
  const workload = authentikWorkload({ hostname: "auth.homelab.example", blueprint: rendered, blueprintEnv: ["AK_X"], omniSamlSlug: "omni", bootstrapEmail: "o'brien$@homelab.example" });
  const compose = composeProject({
    accountId: "a",
    accountName: "homelab",
    hostname: "omni.homelab.example",
    publicIp: "203.0.113.7",
    initialUsers: ["admin@homelab.example"],
    ports: { api: 443, sideroLinkWireguard: 50180, machineApi: 8090, kubernetesProxy: 8100 },
    egressProxy: { listenIp: "10.0.1.10", allowedCidrs: ["10.0.1.0/24"], port: 3128 },
    workloads: [workload],
    samlMetadataFile: "omni/saml/idp-metadata.xml",
  }) as { services: Record<string, Record<string, unknown>>; networks: Record<string, unknown> };

  it("runs server and worker on their own database, secrets as .env variables, no public port", () => {
    const server = compose.services["authentik-server"];
    expect(server).toMatchObject({ image: "ghcr.io/goauthentik/server:2026.8.6", command: "server", ports: ["127.0.0.1:9000:9000"], networks: ["backend", "identity"] });
    expect(server.environment).toMatchObject({ AUTHENTIK_SECRET_KEY: "${AUTHENTIK_SECRET_KEY:?set in .env}", AUTHENTIK_POSTGRESQL__NAME: "authentik", AUTHENTIK_POSTGRESQL__USER: "authentik" });
    const worker = compose.services["authentik-worker"];
    expect(worker).toMatchObject({ command: "worker", volumes: ["./authentik/blueprints:/blueprints/custom:ro", "./authentik/data:/data"] });
    expect((worker.environment as Record<string, string>).AK_X).toBe("${AK_X:?set in .env}");
    expect(worker).not.toHaveProperty("ports");
    expect((compose.services.postgres.environment as Record<string, string>).AUTHENTIK_DB_PASSWORD).toBe("${AUTHENTIK_DB_PASSWORD:?set in .env}");
    expect(compose.networks).toMatchObject({ backend: { internal: true }, identity: {} });
    expect(workload.envNames).toEqual(["AUTHENTIK_SECRET_KEY", "AUTHENTIK_DB_PASSWORD", "AUTHENTIK_BOOTSTRAP_PASSWORD", "AK_X"]);
    // akadmin gets a generated password at the first start (no open setup page), and the administrator's email, $ escaped for compose.
    expect(worker.environment).toMatchObject({ AUTHENTIK_BOOTSTRAP_PASSWORD: "${AUTHENTIK_BOOTSTRAP_PASSWORD:?set in .env}", AUTHENTIK_BOOTSTRAP_EMAIL: "o'brien$$@homelab.example" });
  });

  it("makes Omni sign in through Authentik's SAML metadata, read from a file", () => {
    const flags = compose.services.omni.command as string[];
    expect(flags).toEqual(expect.arrayContaining(["--auth-saml-enabled=true", "--auth-saml-metadata=/saml/idp-metadata.xml"]));
    expect(compose.services.omni.volumes).toContain("./omni/saml/idp-metadata.xml:/saml/idp-metadata.xml:ro");
  });

  it("deploys in order: files, PostgreSQL, Authentik's database, Authentik, the metadata, then everything", () => {
    const script = deployScript("services: {}\n", workload.files, workload.steps);
    const at = (s: string) => {
      const i = script.indexOf(s);
      expect([s, i >= 0]).toEqual([s, true]);
      return i;
    };
    const order = [
      "sudo tee '/opt/homelab/authentik/blueprints/homelab.yaml'",
      "sudo docker compose up -d --wait postgres",
      "psql -v ON_ERROR_STOP=1",
      "sudo docker compose up -d --wait authentik-server authentik-worker",
      "http://127.0.0.1:9000/application/saml/omni/metadata/",
      "sudo install -m 0644 /tmp/idp-metadata.xml 'omni/saml/idp-metadata.xml'",
      "sudo docker compose up -d --remove-orphans --wait",
    ].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // The password is expanded inside the container, never on the VM's command line.
    expect(script).toContain(`sh -c 'psql -v ON_ERROR_STOP=1 -U homelab -d homelab -v pw="$AUTHENTIK_DB_PASSWORD"'`);
    expect(script).toContain("-H 'Host: auth.homelab.example'");
  });

  it("creates the role and database only when missing, and sets the password every time (psql-quoted)", () => {
    expect(databaseSql()).toBe(
      [
        "SELECT 'CREATE ROLE authentik LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authentik')\\gexec",
        "ALTER ROLE authentik WITH LOGIN PASSWORD :'pw';",
        "SELECT 'CREATE DATABASE authentik OWNER authentik' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'authentik')\\gexec",
        "",
      ].join("\n"),
    );
  });
});

describe("IdentityPlane", () => {
  const bitwarden = { organizationId: "org", projectId: "project", apiUrl: "https://api.bitwarden.com", identityUrl: "https://identity.bitwarden.com", accessToken: "fake-writer-token" };
  const program = () => {
    const plane = new IdentityPlane("identity", { ...inputs, provisioning: { repository: inputs.provisioningRepository, dispatchToken: "fake-dispatch-token" }, adminEmail: "admin@homelab.example", bitwarden });
    return { env: plane.env, envNames: plane.workload.envNames, bootstrapPassword: plane.bootstrapPassword };
  };

  it("writes every generated value to Bitwarden under the name its app reads, the value and token secret", async () => {
    const run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, program);
    const written = run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/homelab:BitwardenSecret");
    expect(written.map((r) => r.inputs.key).sort()).toEqual(generatedBitwardenSecrets(inputs).sort());
    for (const r of written) expect([r.inputs.value, r.inputs.accessToken, r.inputs.projectId]).toEqual(["[secret]", "[secret]", "project"]);
    // Each value is generated, alphanumeric: no default, nothing typed.
    const passwords = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.every((r) => r.inputs.special === false)).toBe(true);
    expect(passwords.find((r) => r.name === "identity-cookie-vaultwarden-sso")?.inputs.length).toBe(32);
    expect(JSON.stringify(run.resources.map((r) => r.inputs))).not.toContain("fake-writer-token");
    expect(passwords.find((r) => r.name === "identity-provisioning-password-key")?.inputs.length).toBe(48);
  });

  it("gives the VM a value for every variable its services read, and the output stays secret", async () => {
    const run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, program);
    expect(run.outputs.env).toBe("[secret]");
    expect(run.outputs.bootstrapPassword).toBe("[secret]");
    const names = run.outputs.envNames as string[];
    expect(names).toEqual(expect.arrayContaining(["AUTHENTIK_SECRET_KEY", "AUTHENTIK_DB_PASSWORD", ...blueprintEnvironment(inputs)]));
  });
});

describe("Omni's admins", () => {
  it("are whoever Authentik labels omni-admin, re-checked at each login", () => {
    expect(parse(omniAdminLabelRule())).toEqual({
      metadata: { namespace: "default", type: "SAMLLabelRules.omni.sidero.dev", id: "homelab-admins" },
      spec: { assignrole: "Admin", matchlabels: ["saml.omni.sidero.dev/role/omni-admin"], updateoneachlogin: true },
    });
    // The label comes from the blueprint's role mapping, with Omni's --auth-saml-label-rules {"role":"role"}.
    expect(byId("omni-role")?.attrs?.saml_name).toBe("role");
  });
});
