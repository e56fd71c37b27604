import { BitwardenSecretInputs, SecretsApi, bitwardenSecretProvider } from "../../components/identity/bitwardenSecret";

/** A Secrets Manager in memory: secrets by id, each in one project, with the calls the provider made. */
function fakeSecretsManager(initial: { id: string; key: string; projectId: string; value?: string }[] = []) {
  const secrets = new Map(initial.map((s) => [s.id, { value: "", note: "", ...s }]));
  const calls: string[] = [];
  let next = 1;
  const api: SecretsApi = {
    list: async () => ({ data: [...secrets.values()].map(({ id, key }) => ({ id, key })) }),
    getByIds: async (ids) => ({ data: ids.map((id) => secrets.get(id)!).map(({ id, key, projectId }) => ({ id, key, projectId })) }),
    create: async (_org, key, value, note, projectIds) => {
      const id = `new-${next++}`;
      secrets.set(id, { id, key, value, note, projectId: projectIds[0] });
      calls.push(`create ${key}`);
      return { id };
    },
    update: async (_org, id, key, value, note, projectIds) => {
      secrets.set(id, { id, key, value, note, projectId: projectIds[0] });
      calls.push(`update ${id}`);
      return { id };
    },
    delete: async (ids) => {
      for (const id of ids) secrets.delete(id);
      calls.push(`delete ${ids.join(",")}`);
    },
  };
  return { api, secrets, calls };
}

const inputs: BitwardenSecretInputs = { organizationId: "org", projectId: "p1", apiUrl: "https://api", identityUrl: "https://identity", accessToken: "t", key: "vaultwarden-sso-client-secret", value: "v1", note: "n" };

describe("the Bitwarden secret provider", () => {
  it("creates the secret in the project, signing in with the target's token", async () => {
    const sm = fakeSecretsManager();
    const seen: string[] = [];
    const provider = bitwardenSecretProvider(async (t) => (seen.push(`${t.apiUrl} ${t.accessToken}`), sm.api));
    const { id } = await provider.create!(inputs);
    expect(sm.secrets.get(id)).toMatchObject({ key: inputs.key, value: "v1", projectId: "p1" });
    expect(seen).toEqual(["https://api t"]);
  });

  it("adopts the one secret of that name in the project (made by hand), ignoring namesakes in other projects", async () => {
    const sm = fakeSecretsManager([
      { id: "old", key: inputs.key, projectId: "p1", value: "typed by hand" },
      { id: "elsewhere", key: inputs.key, projectId: "p2" },
    ]);
    const { id } = await bitwardenSecretProvider(async () => sm.api).create!(inputs);
    expect(id).toBe("old");
    expect(sm.secrets.get("old")?.value).toBe("v1");
    expect(sm.calls).toEqual(["update old"]);
  });

  it("refuses two secrets of that name in the project: External Secrets could not tell them apart", async () => {
    const sm = fakeSecretsManager([
      { id: "a", key: inputs.key, projectId: "p1" },
      { id: "b", key: inputs.key, projectId: "p1" },
    ]);
    await expect(bitwardenSecretProvider(async () => sm.api).create!(inputs)).rejects.toThrow(
      "Bitwarden project p1 holds 2 secrets named vaultwarden-sso-client-secret; expected at most one (External Secrets finds secrets by name): delete the extra ones",
    );
    expect(sm.calls).toEqual([]);
  });

  it("updates a new value in place, replaces on a new project, and deletes what it created", async () => {
    const sm = fakeSecretsManager();
    const provider = bitwardenSecretProvider(async () => sm.api);
    const { id } = await provider.create!(inputs);
    expect(await provider.diff!(id, inputs, { ...inputs, value: "v2" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await provider.diff!(id, inputs, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect((await provider.diff!(id, inputs, { ...inputs, projectId: "p2" })).replaces).toEqual(["projectId"]);
    await provider.update!(id, inputs, { ...inputs, value: "v2" });
    expect(sm.secrets.get(id)?.value).toBe("v2");
    await provider.delete!(id, inputs);
    expect(sm.secrets.has(id)).toBe(false);
  });
});
