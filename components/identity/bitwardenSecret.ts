// A Bitwarden Secrets Manager secret the program writes: a dynamic provider
// over the official SDK (@bitwarden/sdk-napi). The identity plane generates
// client secrets, cookie secrets and tokens; the apps read them through
// External Secrets, which finds a secret by its name in the store's project,
// so one name must mean one secret there: create adopts an existing secret of
// that name in the project (made by hand before), and refuses two.
import * as pulumi from "@pulumi/pulumi";

/** Where the secret lives and how the program signs in (the machine account's access token, secret). */
export interface BitwardenTarget {
  organizationId: string;
  projectId: string;
  apiUrl: string;
  identityUrl: string;
  accessToken: string;
}

export interface BitwardenSecretInputs extends BitwardenTarget {
  /** The name the apps' ExternalSecrets look it up by. */
  key: string;
  value: string;
  note: string;
}

/** The few SDK calls the provider makes (SecretsClient of @bitwarden/sdk-napi). */
export interface SecretsApi {
  list(organizationId: string): Promise<{ data: { id: string; key: string }[] }>;
  getByIds(ids: string[]): Promise<{ data: { id: string; key: string; projectId?: string | null }[] }>;
  create(organizationId: string, key: string, value: string, note: string, projectIds: string[]): Promise<{ id: string }>;
  update(organizationId: string, id: string, key: string, value: string, note: string, projectIds: string[]): Promise<{ id: string }>;
  delete(ids: string[]): Promise<unknown>;
}

export type Connect = (target: BitwardenTarget) => Promise<SecretsApi>;

/** Signs in with the official SDK. Loaded when a deploy runs, so a plan never needs the native module. */
export const sdkConnect: Connect = async (target) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BitwardenClient } = require("@bitwarden/sdk-napi") as typeof import("@bitwarden/sdk-napi");
  const client = new BitwardenClient({ apiUrl: target.apiUrl, identityUrl: target.identityUrl, userAgent: "homelab" });
  await client.auth().loginAccessToken(target.accessToken);
  return client.secrets();
};

/** The provider's logic, with the SDK connection injected (the tests give it a fake Secrets Manager). */
export function bitwardenSecretProvider(connect: Connect): pulumi.dynamic.ResourceProvider {
  async function adoptOrCreate(api: SecretsApi, i: BitwardenSecretInputs): Promise<string> {
    const named = (await api.list(i.organizationId)).data.filter((s) => s.key === i.key).map((s) => s.id);
    const inProject = named.length ? (await api.getByIds(named)).data.filter((s) => s.projectId === i.projectId) : [];
    if (inProject.length > 1) {
      throw new Error(`Bitwarden project ${i.projectId} holds ${inProject.length} secrets named ${i.key}; expected at most one (External Secrets finds secrets by name): delete the extra ones`);
    }
    if (inProject.length === 1) return (await api.update(i.organizationId, inProject[0].id, i.key, i.value, i.note, [i.projectId])).id;
    return (await api.create(i.organizationId, i.key, i.value, i.note, [i.projectId])).id;
  }
  return {
    async create(inputs: BitwardenSecretInputs) {
      const id = await adoptOrCreate(await connect(inputs), inputs);
      return { id, outs: inputs };
    },
    async diff(_id: string, olds: BitwardenSecretInputs, news: BitwardenSecretInputs) {
      const replaces = (["organizationId", "projectId"] as const).filter((k) => olds[k] !== news[k]);
      const changed = (["key", "value", "note", "apiUrl", "identityUrl", "accessToken"] as const).some((k) => olds[k] !== news[k]);
      // A new project or organization is another secret: create it there before deleting the old one.
      return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
    },
    async update(id: string, _olds: BitwardenSecretInputs, news: BitwardenSecretInputs) {
      await (await connect(news)).update(news.organizationId, id, news.key, news.value, news.note, [news.projectId]);
      return { outs: news };
    },
    async delete(id: string, olds: BitwardenSecretInputs) {
      await (await connect(olds)).delete([id]);
    },
  };
}

/** Inputs of a BitwardenSecret resource: the value and the access token are kept secret in the state. */
export type BitwardenSecretArgs = { [K in keyof BitwardenSecretInputs]: pulumi.Input<BitwardenSecretInputs[K]> };

/** One provider object for every secret: Pulumi serializes a dynamic provider once per object. */
const sdkProvider = bitwardenSecretProvider(sdkConnect);

export class BitwardenSecret extends pulumi.dynamic.Resource {
  constructor(name: string, args: BitwardenSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sdkProvider,
      name,
      { ...args, value: pulumi.secret(args.value), accessToken: pulumi.secret(args.accessToken) },
      { ...opts, additionalSecretOutputs: ["value", "accessToken"] },
      "homelab",
      "BitwardenSecret",
    );
  }
}
