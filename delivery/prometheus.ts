// Prometheus's HTTP API, the one call the gate makes: an instant query
// (GET /api/v1/query?query=...&time=...), answered as a vector.
import { Query, Sample } from "./gate";

interface VectorResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** A Query against the Prometheus at `baseUrl` (e.g. http://127.0.0.1:9090). */
export function prometheusQuery(baseUrl: string, timeoutMs = 30_000): Query {
  const base = baseUrl.replace(/\/+$/, "");
  return async (promql: string, at: Date): Promise<Sample[]> => {
    const url = `${base}/api/v1/query?${new URLSearchParams({ query: promql, time: (at.getTime() / 1000).toFixed(3) })}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new Error(`${base}: ${cause?.message ?? (err as Error).message}`);
    }
    const body = (await res.json().catch(() => ({ status: "error", error: `HTTP ${res.status}, not JSON` }))) as VectorResponse;
    if (body.status !== "success" || !body.data) throw new Error(`${base}: ${body.error ?? `HTTP ${res.status}`} (query ${promql})`);
    if (body.data.resultType !== "vector") throw new Error(`${base}: expected a vector, got ${body.data.resultType} (query ${promql})`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
}
