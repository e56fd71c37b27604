// JSON over HTTP for the provisioning clients: one place that builds the
// request, reads the answer and says which app and call failed. A failed
// call's message never carries the request (passwords travel in bodies).
export type Fetch = typeof fetch;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Call {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** What the call is for, in the error ("sign in as homelab-provisioner"). */
  purpose: string;
}

/** A client of one app at one base URL. */
export function jsonClient(app: string, baseUrl: string, fetchImpl: Fetch = fetch) {
  const base = baseUrl.replace(/\/+$/, "");
  return async function call<T>(path: string, c: Call): Promise<T> {
    const method = c.method ?? "GET";
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, {
        method,
        headers: { Accept: "application/json", ...(c.body === undefined ? {} : { "Content-Type": "application/json" }), ...c.headers },
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new ApiError(0, `${app}: ${method} ${path} (${c.purpose}): ${e instanceof Error ? e.message : String(e)}; expected ${base} to answer`);
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, `${app}: ${method} ${path} (${c.purpose}): HTTP ${res.status}${text ? ` ${text.slice(0, 200).replace(/\s+/g, " ")}` : ""}`);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, `${app}: ${method} ${path} (${c.purpose}): expected JSON, got ${JSON.stringify(text.slice(0, 80))}`);
    }
  };
}
