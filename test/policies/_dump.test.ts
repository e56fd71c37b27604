import type { ProgramRun } from "../../plan/mockRuntime";
async function fresh(s: "dev" | "prod" | "cloud"): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const helpers: typeof import("../helpers") = await import("../helpers");
    run = await helpers.runStack(s);
  });
  return run!;
}
test("dump", async () => {
  for (const s of ["prod", "cloud", "dev", "prod"] as const) {
    const run = await fresh(s);
    console.log(s, run.resources.length, JSON.stringify(run.resources.filter((r) => /vmLegacy|Core\/instance|securityList/.test(r.type)).map((r) => ({ type: r.type, name: r.name, urn: r.urn, tags: r.inputs.tags, ft: r.inputs.freeformTags, mem: r.inputs.memory, cpu: r.inputs.cpu, started: r.inputs.started, sc: r.inputs.shapeConfig, sd: r.inputs.sourceDetails, ing: r.inputs.ingressSecurityRules }))));
  }
});
