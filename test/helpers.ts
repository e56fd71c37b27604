// Shared test helpers: the committed stack configs, tweaked per test, run
// through the same validation and program the plan uses.
import { ConfigError, NAMESPACE, RawConfig, validateConfig } from "../config/load";
import { stackReferencesFor } from "../plan/plan";
import { StackKind } from "../config/schema";
import { ProgramRun, runProgram } from "../plan/mockRuntime";
import { committedRawConfig } from "../plan/stackFiles";

export type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The committed config of a stack (namespace stripped) plus fake required secrets. */
export function committedRaw(stack: StackKind): { values: Values; secretKeys: Set<string> } {
  return committedRawConfig(stack) as { values: Values; secretKeys: Set<string> };
}

/** Validates the committed config of `stack` after `mutate` changed it. */
export function validateMutated(stack: StackKind, mutate: (values: Values, secretKeys: Set<string>) => void) {
  const raw = committedRaw(stack);
  mutate(raw.values, raw.secretKeys);
  return validateConfig(stack, raw as RawConfig);
}

/** The problems validateMutated reports, one line each without the bullet; none when the config is valid. */
export function configProblems(stack: StackKind, mutate: (values: Values) => void): string[] {
  try {
    validateMutated(stack, mutate);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** The message validateMutated throws (fails the test if it does not throw). */
export function configError(stack: StackKind, mutate: (values: Values, secretKeys: Set<string>) => void): string {
  try {
    validateMutated(stack, mutate);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be rejected");
}

/** Runs the program (index.ts) for a stack under mocks, optionally with changed config. */
export async function runStack(stack: StackKind, mutate?: (values: Values, secretKeys: Set<string>) => void): Promise<ProgramRun> {
  const raw = committedRaw(stack);
  mutate?.(raw.values, raw.secretKeys);
  const config = Object.fromEntries(Object.entries(raw.values).map(([k, v]) => [`${NAMESPACE}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
  // The stacks it reads export what the committed configs say (validated as committed, so a broken
  // mutation still reaches the program, which refuses it).
  const stackReferences = stackReferencesFor(validateConfig(stack, committedRaw(stack) as RawConfig));
  return runProgram({ stack, config, secretKeys: [...raw.secretKeys].map((k) => `${NAMESPACE}:${k}`), stackReferences });
}

export const ofType = (run: ProgramRun, type: string) => run.resources.filter((r) => r.type === type);
