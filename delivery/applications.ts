// After `npm run up -- --stack dev`: is every Argo CD Application of the
// cluster Synced and Healthy? Pulumi already waits for each Application it
// changes (pulumi.com/waitFor); this also catches the ones it did not touch
// that a change broke (a shared CRD, a platform add-on). The Applications live
// on prod (Argo CD's hub), labelled with their cluster.
import * as fs from "fs";
import * as https from "https";

export const clusterLabel = "homelab.io/cluster";

/** What the check reads of an Application. */
export interface ApplicationStatus {
  name: string;
  sync: string;
  health: string;
  /** Argo CD's message for a degraded or failed one, if any. */
  message?: string;
}

/** The Applications of an Argo CD list response (`GET .../applications`). */
export function applicationStatuses(list: unknown): ApplicationStatus[] {
  const items = (list as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new Error("Argo CD applications: expected a list with items");
  return items.map((a) => {
    const app = a as { metadata?: { name?: string }; status?: { sync?: { status?: string }; health?: { status?: string; message?: string }; operationState?: { message?: string } } };
    return {
      name: app.metadata?.name ?? "(unnamed)",
      sync: app.status?.sync?.status ?? "Unknown",
      health: app.status?.health?.status ?? "Unknown",
      message: app.status?.health?.message ?? app.status?.operationState?.message,
    };
  });
}

export interface HealthVerdict {
  healthy: boolean;
  /** Applications that are not Synced and Healthy, one line each. */
  waiting: string[];
}

/** Healthy when there is at least one Application and each is Synced and Healthy. */
export function healthVerdict(apps: readonly ApplicationStatus[]): HealthVerdict {
  const waiting = apps.filter((a) => a.sync !== "Synced" || a.health !== "Healthy").map((a) => `${a.name}: ${a.sync}, ${a.health}${a.message ? ` (${a.message})` : ""}`);
  if (apps.length === 0) return { healthy: false, waiting: ["no Application found for this cluster"] };
  return { healthy: waiting.length === 0, waiting };
}

/** The Kubernetes API as a pod sees it: its address, its service account's token and CA. */
export interface ApiAccess {
  url: string;
  token: string;
  ca?: string;
}

const serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The API from inside a pod (the runner on prod). */
export function inClusterAccess(env: NodeJS.ProcessEnv = process.env, dir = serviceAccount): ApiAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) throw new Error("not in a Kubernetes pod (KUBERNETES_SERVICE_HOST unset): this check runs on the prod cluster's runner");
  return { url: `https://${host.includes(":") ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`, token: fs.readFileSync(`${dir}/token`, "utf8").trim(), ca: fs.readFileSync(`${dir}/ca.crt`, "utf8") };
}

/** GET the Applications of a cluster. */
export function listApplications(api: ApiAccess, cluster: string, namespace = "argocd"): Promise<unknown> {
  const url = new URL(`/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/applications`, api.url);
  url.searchParams.set("labelSelector", `${clusterLabel}=${cluster}`);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { authorization: `Bearer ${api.token}`, accept: "application/json" }, ca: api.ca, timeout: 30_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += String(c)));
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`${url.pathname}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(new Error(`${url.pathname}: not JSON (${(err as Error).message})`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${url.host}: no answer in 30 s`)));
    req.on("error", reject);
  });
}

/** Polls until healthy or the deadline; the last verdict either way. */
export async function waitHealthy(read: () => Promise<unknown>, timeoutMs: number, pollMs = 15_000, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<HealthVerdict> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let verdict: HealthVerdict;
    try {
      verdict = healthVerdict(applicationStatuses(await read()));
    } catch (err) {
      verdict = { healthy: false, waiting: [(err as Error).message] };
    }
    if (verdict.healthy || Date.now() + pollMs > deadline) return verdict;
    await sleep(pollMs);
  }
}
