// Authentik on the management VM, as part of its compose project: server and
// worker (no Redis since 2025.10), on the VM's PostgreSQL with a database and
// role of their own, the blueprint mounted where the worker watches. The
// server answers the tunnel connector on the compose network and the VM's
// loopback (where the deploy fetches the SAML metadata Omni reads), never a
// public port. Pure; secrets are ${VARIABLES} of the project's .env.
import { createHash } from "crypto";
import { images } from "../../config/versions";
import { heredoc, shellQuote } from "../shell";
import type { VmWorkload } from "../omni/managementVm";

export const authentikDatabase = { name: "authentik", user: "authentik" } as const;
export const authentikPort = 9000;
/** Where the blueprint lives in the project directory, and where the worker reads it. */
export const blueprintFile = "authentik/blueprints/homelab.yaml";
/** The network the server shares with the tunnel connector (not internal: the worker posts webhooks). */
export const identityNetwork = "identity";
/** Omni's copy of the identity provider's SAML metadata, fetched by the deploy. */
export const samlMetadataFile = "omni/saml/idp-metadata.xml";

export interface AuthentikArgs {
  /** auth.<domain>: the public hostname the metadata's URLs must carry. */
  hostname: string;
  /** The blueprint as rendered (no secret in it). */
  blueprint: string;
  /** The worker's variables the blueprint reads (client secrets, tokens, the webhook secret). */
  blueprintEnv: string[];
  /** The SAML application whose metadata Omni gets, when Omni signs in through Authentik. */
  omniSamlSlug?: string;
  /** The bootstrap admin's (akadmin's) email: the administrator's, as Omni's first user. */
  bootstrapEmail: string;
}

const required = (name: string) => `\${${name}:?set in .env}`;

function commonEnvironment(): Record<string, string> {
  return {
    AUTHENTIK_SECRET_KEY: required("AUTHENTIK_SECRET_KEY"),
    AUTHENTIK_POSTGRESQL__HOST: "postgres",
    AUTHENTIK_POSTGRESQL__NAME: authentikDatabase.name,
    AUTHENTIK_POSTGRESQL__USER: authentikDatabase.user,
    AUTHENTIK_POSTGRESQL__PASSWORD: required("AUTHENTIK_DB_PASSWORD"),
    AUTHENTIK_DISABLE_UPDATE_CHECK: "true",
    AUTHENTIK_ERROR_REPORTING__ENABLED: "false",
    AUTHENTIK_DISABLE_STARTUP_ANALYTICS: "true",
  };
}

function service(command: "server" | "worker", extra: Record<string, unknown>): Record<string, unknown> {
  return {
    image: images.authentik,
    container_name: `authentik-${command}`,
    restart: "unless-stopped",
    command,
    depends_on: { postgres: { condition: "service_healthy" } },
    networks: ["backend", identityNetwork],
    // The image keeps its temporary files in /dev/shm.
    shm_size: "512mb",
    // The image has no curl; `ak healthcheck` is its own probe.
    healthcheck: { test: ["CMD", "ak", "healthcheck"], interval: "30s", timeout: "30s", start_period: "120s", retries: 3 },
    deploy: { resources: { limits: { memory: "1g" } } },
    ...extra,
  };
}

/** The idempotent SQL that gives Authentik its role (password from the container's environment) and database. */
export function databaseSql(): string {
  const { name, user } = authentikDatabase;
  return [
    `SELECT 'CREATE ROLE ${user} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}')\\gexec`,
    `ALTER ROLE ${user} WITH LOGIN PASSWORD :'pw';`,
    `SELECT 'CREATE DATABASE ${name} OWNER ${user}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${name}')\\gexec`,
    "",
  ].join("\n");
}

/** What the management VM runs for the identity plane. */
export function authentikWorkload(args: AuthentikArgs): VmWorkload {
  const workerEnv = {
    ...Object.fromEntries(args.blueprintEnv.map((v) => [v, required(v)])),
    // Read at the very first start only: akadmin gets a generated password instead of an open setup page.
    AUTHENTIK_BOOTSTRAP_PASSWORD: required("AUTHENTIK_BOOTSTRAP_PASSWORD"),
    // Compose would read a $ as the start of a variable.
    AUTHENTIK_BOOTSTRAP_EMAIL: args.bootstrapEmail.replace(/\$/g, "$$$$"),
  };
  const steps = [
    // The role's password is read inside the container (the postgres service has it), never on a command line of the VM.
    heredoc(`sudo docker compose exec -T postgres sh -c 'psql -v ON_ERROR_STOP=1 -U homelab -d homelab -v pw="$AUTHENTIK_DB_PASSWORD"'`, databaseSql(), "Authentik's database SQL"),
    "sudo docker compose up -d --wait authentik-server authentik-worker",
  ];
  if (args.omniSamlSlug) {
    const url = `http://127.0.0.1:${authentikPort}/application/saml/${args.omniSamlSlug}/metadata/`;
    // The worker applies the blueprint shortly after it starts; the metadata's URLs follow the Host header, so they name the public hostname.
    steps.push(
      [
        `sudo install -d -m 0755 ${shellQuote(samlMetadataFile.split("/").slice(0, -1).join("/"))}`,
        "ok=",
        "for i in $(seq 120); do",
        `  if curl -fsS -H ${shellQuote(`Host: ${args.hostname}`)} -H 'X-Forwarded-Proto: https' ${shellQuote(url)} -o /tmp/idp-metadata.xml; then ok=1; break; fi`,
        "  sleep 5",
        "done",
        `[ -n "$ok" ] || { echo "Authentik did not serve Omni's SAML metadata at ${url} within 10 minutes" >&2; exit 1; }`,
        `sudo install -m 0644 /tmp/idp-metadata.xml ${shellQuote(samlMetadataFile)}`,
      ].join("\n"),
    );
  }
  return {
    services: {
      "authentik-server": service("server", { environment: commonEnvironment(), ports: [`127.0.0.1:${authentikPort}:${authentikPort}`] }),
      "authentik-worker": service("worker", {
        environment: { ...commonEnvironment(), ...workerEnv },
        volumes: ["./authentik/blueprints:/blueprints/custom:ro", "./authentik/data:/data"],
        // A changed blueprint recreates nothing (the worker watches the folder); its hash says which one runs.
        labels: { "homelab.io/blueprint-sha256": createHash("sha256").update(args.blueprint).digest("hex") },
      }),
    },
    networks: { [identityNetwork]: {} },
    // The postgres service needs the role's password for the SQL step above.
    postgresEnv: ["AUTHENTIK_DB_PASSWORD"],
    envNames: ["AUTHENTIK_SECRET_KEY", "AUTHENTIK_DB_PASSWORD", "AUTHENTIK_BOOTSTRAP_PASSWORD", ...args.blueprintEnv],
    files: [{ path: blueprintFile, content: args.blueprint, what: "the Authentik blueprint" }],
    steps,
  };
}
