// A policy pack run exactly as the Pulumi CLI runs it (`run-policy-pack` from
// the pack's own node_modules, in the pack's folder, serving the analyzer gRPC
// API on loopback), and driven the way the engine drives it: Configure with
// the reconciled config, Analyze per resource, AnalyzeStack once. The requests
// are the offline analyzer's engine half, so comparing the verdicts checks its
// SDK half against the real SDK.
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { AnalyzerResource, ReconciledPolicyConfig, Violation } from "../plan/analyzer";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");

const levels = ["advisory", "mandatory", "disabled", "remediate"] as const;
const levelNumber = (level: string) => levels.indexOf(level as (typeof levels)[number]);

export interface RunningPack {
  /** Configure, then Analyze every resource and AnalyzeStack once; the diagnostics as violations. */
  analyze(requests: { analyze: AnalyzerResource[]; stack: AnalyzerResource[] }, config: Map<string, ReconciledPolicyConfig>): Promise<Violation[]>;
  stop(): void;
}

type Client = Record<string, (req: unknown, cb: (err: Error | null, resp: never) => void) => void>;
const call = <T>(client: Client, method: string, req: unknown) => new Promise<T>((resolve, reject) => client[method](req, (err, resp) => (err ? reject(err) : resolve(resp as T))));

function options(r: AnalyzerResource) {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setDeletebeforereplacedefined(r.options.deleteBeforeReplace !== undefined);
  o.setDeletebeforereplace(r.options.deleteBeforeReplace ?? false);
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  o.setAliasesList(r.options.aliases);
  o.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
  return o;
}

function provider(r: AnalyzerResource) {
  if (!r.provider) return undefined;
  const p = new analyzerProto.AnalyzerProviderResource();
  p.setType(r.provider.type);
  p.setUrn(r.provider.urn);
  p.setName(r.provider.name);
  p.setProperties(Struct.fromJavaScript(r.provider.properties as never));
  return p;
}

function analyzeRequest(r: AnalyzerResource) {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(r.type);
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setProperties(Struct.fromJavaScript(r.properties as never));
  req.setOptions(options(r));
  const p = provider(r);
  if (p) req.setProvider(p);
  return req;
}

function stackResource(r: AnalyzerResource) {
  const res = new analyzerProto.AnalyzerResource();
  res.setType(r.type);
  res.setUrn(r.urn);
  res.setName(r.name);
  res.setProperties(Struct.fromJavaScript(r.properties as never));
  res.setOptions(options(r));
  const p = provider(r);
  if (p) res.setProvider(p);
  if (r.parent) res.setParent(r.parent);
  res.setDependenciesList(r.dependencies);
  const deps = res.getPropertydependenciesMap();
  for (const [k, urns] of Object.entries(r.propertyDependencies)) {
    const d = new analyzerProto.AnalyzerPropertyDependencies();
    d.setUrnsList(urns);
    deps.set(k, d);
  }
  return res;
}

interface Diagnostic {
  getPolicyname(): string;
  getDescription(): string;
  getMessage(): string;
  getUrn(): string;
  getEnforcementlevel(): number;
}

/** Starts the pack in `dir` as the CLI's analyzer plugin does; resolves once it serves. */
export async function startPolicyPack(dir: string, timeoutMs = 120000): Promise<RunningPack> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  if (!fs.existsSync(runner)) throw new Error(`no @pulumi/pulumi in ${dir}: run npm ci there`);
  const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`policy pack in ${dir} did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    let out = "";
    child.stdout?.on("data", (d) => {
      out += String(d);
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack in ${dir} exited with ${code}:\n${stderr}`));
    });
  });
  const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as Client & { close(): void };
  return {
    async analyze(requests, config) {
      const configure = new analyzerProto.ConfigureAnalyzerRequest();
      const map = configure.getPolicyconfigMap();
      for (const [name, c] of config) {
        const pc = new analyzerProto.PolicyConfig();
        pc.setEnforcementlevel(levelNumber(c.level));
        pc.setProperties(Struct.fromJavaScript(c.properties as never));
        map.set(name, pc);
      }
      await call(client, "configure", configure);
      const names = new Map(requests.stack.map((r) => [r.urn, r.name]));
      const found: Violation[] = [];
      const collect = (resp: { getDiagnosticsList(): Diagnostic[] }, urn: string | null) => {
        for (const d of resp.getDiagnosticsList()) {
          const at = d.getUrn() || urn;
          const description = d.getDescription();
          const message = description && d.getMessage().startsWith(`${description}\n`) ? d.getMessage().slice(description.length + 1) : d.getMessage();
          found.push({ policy: d.getPolicyname(), resource: at ? (names.get(at) ?? at) : null, urn: at, message, level: levels[d.getEnforcementlevel()] === "advisory" ? "advisory" : "mandatory" });
        }
      };
      for (const r of requests.analyze) collect(await call(client, "analyze", analyzeRequest(r)), r.urn);
      const stack = new analyzerProto.AnalyzeStackRequest();
      stack.setResourcesList(requests.stack.map(stackResource));
      collect(await call(client, "analyzeStack", stack), null);
      return found;
    },
    stop() {
      client.close();
      child.kill();
    },
  };
}

/** The name and version the pack in `dir` reports (its package.json). */
export function packIdentity(dir: string): { name: string; version: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  const index = fs.readFileSync(path.join(dir, fs.existsSync(path.join(dir, "index.ts")) ? "index.ts" : "index.js"), "utf8");
  const name = /new PolicyPack\("([^"]+)"/.exec(index)?.[1] ?? "";
  return { name, version: pkg.version };
}
