// Pure renderers for the management VM: its cloud-init and the Docker
// Compose project (Omni + PostgreSQL) the program copies to it. Secrets are
// never rendered here: the compose file references ${VARIABLES} that live in
// an .env file written from secret values on the VM only.
import { stringify } from "yaml";
import { images } from "../../config/versions";
import { heredoc, shellQuote } from "../shell";
import { EgressProxyArgs, egressProxyService, squidConf } from "./egressProxy";

export const projectDir = "/opt/homelab";

/** Something else the management VM runs in its compose project (the identity plane, the tunnel connector). */
export interface VmWorkload {
  services: Record<string, Record<string, unknown>>;
  networks?: Record<string, Record<string, unknown>>;
  /** Named volumes its services keep their state in. */
  volumes?: Record<string, Record<string, unknown>>;
  /** Variables the PostgreSQL service must hold too (for a step that runs SQL with them). */
  postgresEnv?: string[];
  /** Variables of .env it reads: secret values, which reach the VM on stdin only. */
  envNames: string[];
  /** Files under the project directory, written before anything starts. */
  files: { path: string; content: string; what: string }[];
  /** Shell steps run in the project directory once PostgreSQL is up, before the rest starts. */
  steps: string[];
}

export interface ComposeArgs {
  accountId: string;
  accountName: string;
  hostname: string;
  publicIp: string;
  initialUsers: string[];
  ports: { api: number; sideroLinkWireguard: number; machineApi: number; kubernetesProxy: number };
  /** The static-IP egress proxy for the cluster (components/omni/egressProxy.ts). */
  egressProxy: EgressProxyArgs;
  /** Sign-in through an identity provider's SAML metadata, a file in the project directory the deploy writes first. */
  samlMetadataFile?: string;
  /** Omni writes its clusters' etcd backups to an S3 store (configured by an EtcdBackupS3Configs resource, components/omni/etcdBackups.ts). */
  etcdBackupsToS3?: boolean;
  workloads?: VmWorkload[];
}

/** Path, on the VM, of the key Omni writes for its initial (automation) service account. */
export const initialServiceAccountKeyPath = `${projectDir}/omni/state/initial-service-account-key`;

export function composeProject(args: ComposeArgs): object {
  const omniFlags = [
    `--account-id=${args.accountId}`,
    `--name=${args.accountName}`,
    "--private-key-source=file:///omni.asc",
    "--sqlite-storage-path=/_out/secondary-storage/sqlite.db",
    "--cert=/tls/tls.crt",
    "--key=/tls/tls.key",
    `--bind-addr=0.0.0.0:${args.ports.api}`,
    `--advertised-api-url=https://${args.hostname}:${args.ports.api}`,
    `--machine-api-bind-addr=0.0.0.0:${args.ports.machineApi}`,
    `--siderolink-api-advertised-url=grpc://${args.publicIp}:${args.ports.machineApi}`,
    `--siderolink-wireguard-bind-addr=0.0.0.0:${args.ports.sideroLinkWireguard}`,
    `--siderolink-wireguard-advertised-addr=${args.publicIp}:${args.ports.sideroLinkWireguard}`,
    `--k8s-proxy-bind-addr=0.0.0.0:${args.ports.kubernetesProxy}`,
    `--advertised-kubernetes-proxy-url=https://${args.hostname}:${args.ports.kubernetesProxy}`,
    `--initial-users=${args.initialUsers.join(",")}`,
    `--eula-accept-name=${args.accountName}`,
    `--eula-accept-email=${args.initialUsers[0]}`,
    // Pulumi drives Omni with this account from the first deploy on.
    "--create-initial-service-account",
    "--initial-service-account-key-path=/_out/state/initial-service-account-key",
    "--initial-service-account-lifetime=8760h",
    ...(args.etcdBackupsToS3 ? ["--etcd-backup-s3"] : []),
    ...(args.samlMetadataFile
      ? [
          "--auth-saml-enabled=true",
          // A file, not the URL: Omni then starts even while the identity provider or the tunnel is down.
          "--auth-saml-metadata=/saml/idp-metadata.xml",
          // Members of admin carry role omni-admin (the blueprint's mapping); a SAMLLabelRule makes them Omni admins.
          '--auth-saml-label-rules={"role":"role"}',
        ]
      : []),
  ];
  const workloads = args.workloads ?? [];
  const postgresEnv = workloads.flatMap((w) => w.postgresEnv ?? []);
  return {
    name: "homelab-mgmt",
    services: {
      ...Object.assign({}, ...workloads.map((w) => w.services)),
      "egress-proxy": egressProxyService(images.squid, squidConf(args.egressProxy)),
      omni: {
        image: images.omni,
        container_name: "omni",
        restart: "unless-stopped",
        network_mode: "host",
        cap_add: ["NET_ADMIN"],
        devices: ["/dev/net/tun"],
        volumes: [
          "./omni/etcd:/_out/etcd",
          "./omni/sqlite:/_out/secondary-storage",
          "./omni/state:/_out/state",
          "./omni/omni.asc:/omni.asc:ro",
          "./omni/tls:/tls:ro",
          ...(args.samlMetadataFile ? [`./${args.samlMetadataFile}:/saml/idp-metadata.xml:ro`] : []),
        ],
        command: omniFlags,
      },
      postgres: {
        image: images.postgres,
        container_name: "postgres",
        restart: "unless-stopped",
        environment: {
          POSTGRES_USER: "homelab",
          POSTGRES_DB: "homelab",
          POSTGRES_PASSWORD: "${POSTGRES_PASSWORD:?set in .env}",
          ...Object.fromEntries(postgresEnv.map((v) => [v, `\${${v}:?set in .env}`])),
        },
        volumes: ["postgres-data:/var/lib/postgresql/data"],
        networks: ["backend"],
        healthcheck: {
          test: ["CMD-SHELL", "pg_isready -U homelab -d homelab"],
          interval: "10s",
          timeout: "5s",
          retries: 5,
        },
        deploy: { resources: { limits: { memory: "1g" } } },
      },
    },
    networks: { backend: { internal: true }, ...Object.assign({}, ...workloads.map((w) => w.networks ?? {})) },
    volumes: { "postgres-data": {}, ...Object.assign({}, ...workloads.map((w) => w.volumes ?? {})) },
  };
}

export const composeYaml = (args: ComposeArgs) => stringify(composeProject(args));

/** cloud-init user-data: Docker and Compose from Ubuntu, SSH by key only. */
export function cloudInit(): string {
  const doc = {
    package_update: true,
    packages: ["docker.io", "docker-compose-v2", "gnupg"],
    ssh_pwauth: false,
    disable_root: true,
    runcmd: [["systemctl", "enable", "--now", "docker"], ["install", "-d", "-m", "0750", projectDir]],
  };
  return `#cloud-config\n${stringify(doc)}`;
}

/**
 * Idempotent bootstrap on the VM: wait for cloud-init, create Omni's etcd
 * encryption key once (it leaves the VM only inside the encrypted backup of
 * Omni's state, components/backup/vmBackup.ts), write the compose project
 * and every file it mounts, start PostgreSQL, run the workloads' steps (their
 * databases, the identity provider's metadata), then start the rest. Reads
 * the .env content and TLS files from stdin.
 */
export function deployScript(compose: string, files: VmWorkload["files"], steps: string[] = []): string {
  const dirs = [...new Set(files.map((f) => f.path.split("/").slice(0, -1).join("/")).filter(Boolean))].sort();
  return [
    "set -eu",
    "sudo cloud-init status --wait >/dev/null",
    `sudo install -d -m 0750 ${projectDir}/omni/etcd ${projectDir}/omni/sqlite ${projectDir}/omni/state ${projectDir}/omni/tls`,
    `if [ ! -s ${projectDir}/omni/omni.asc ]; then`,
    "  export GNUPGHOME=$(mktemp -d)",
    "  gpg --batch --passphrase '' --quick-generate-key 'Omni (homelab) <omni@homelab>' rsa4096 cert never",
    "  fpr=$(gpg --list-secret-keys --with-colons | awk -F: '/^fpr:/ {print $10; exit}')",
    "  gpg --batch --passphrase '' --quick-add-key \"$fpr\" rsa4096 encr never",
    `  gpg --export-secret-key --armor omni@homelab | sudo tee ${projectDir}/omni/omni.asc >/dev/null`,
    `  sudo chmod 0600 ${projectDir}/omni/omni.asc; rm -rf "$GNUPGHOME"`,
    "fi",
    // stdin: the .env file, then the TLS key and certificate, separated by marker lines.
    "input=$(cat)",
    `printf '%s\\n' "$input" | sed -n '/^#ENV$/,/^#KEY$/p' | sed '1d;$d' | sudo tee ${projectDir}/.env >/dev/null`,
    `printf '%s\\n' "$input" | sed -n '/^#KEY$/,/^#CERT$/p' | sed '1d;$d' | sudo tee ${projectDir}/omni/tls/tls.key >/dev/null`,
    `printf '%s\\n' "$input" | sed -n '/^#CERT$/,$p' | sed '1d' | sudo tee ${projectDir}/omni/tls/tls.crt >/dev/null`,
    `sudo chmod 0600 ${projectDir}/.env ${projectDir}/omni/tls/tls.key`,
    ...(dirs.length ? [`sudo install -d -m 0755 ${dirs.map((d) => shellQuote(`${projectDir}/${d}`)).join(" ")}`] : []),
    ...files.map((f) => heredoc(`sudo tee ${shellQuote(`${projectDir}/${f.path}`)} >/dev/null`, f.content, f.what)),
    heredoc(`sudo tee ${projectDir}/compose.yaml >/dev/null`, compose, "the compose file"),
    `cd ${projectDir}`,
    ...(steps.length ? ["sudo docker compose up -d --wait postgres", ...steps] : []),
    "sudo docker compose up -d --remove-orphans --wait",
  ].join("\n");
}
