import { AlloyBlock, alloyProblems, danglingReferences } from "../../verify/alloyConfig";
import { blackboxModules } from "../../components/monitoring/probes";
import { stringify } from "yaml";

const block = (name: string, label: string | undefined, attributes: Record<string, unknown> = {}, blocks: AlloyBlock[] = []): AlloyBlock => ({ name, ...(label ? { label } : {}), attributes, blocks });
const target = (service: string, labels: Record<string, string> = { service }) => block("target", undefined, { name: service, address: `http://${service}`, module: "http_2xx", labels });
const sender = (targets: AlloyBlock[], config = stringify({ modules: blackboxModules })): AlloyBlock[] => [
  block("prometheus.remote_write", "prod", {}, [block("endpoint", undefined, { url: "http://192.168.71.242:9090/api/v1/metrics/write" })]),
  block("prometheus.exporter.blackbox", "services", { config }, targets),
  block("discovery.relabel", "probes", { targets: { expr: "prometheus.exporter.blackbox.services.targets" } }),
  block("prometheus.scrape", "probes", { targets: { expr: "discovery.relabel.probes.output" }, forward_to: { expr: "[prometheus.remote_write.prod.receiver]" } }),
];

describe("Alloy configuration checks", () => {
  it("accept a sender whose wiring holds, probing exactly its services with prod's module", () => {
    expect(alloyProblems(sender([target("vaultwarden"), target("navidrome")]), { probes: ["navidrome", "vaultwarden"] })).toEqual([]);
  });

  it("name a reference to a component the file does not declare, nested blocks included", () => {
    const blocks = [block("loki.source.kubernetes", "pods", { targets: { expr: "discovery.relabel.pods.output" }, forward_to: { expr: "[loki.write.prod.receiver, loki.write.prod.receiver]" } }), block("loki.write", "prod")];
    expect(danglingReferences(blocks)).toEqual(["discovery.relabel.pods.output"]);
    expect(danglingReferences([block("a.b", "c", {}, [block("rule", undefined, { x: { expr: "x.y.z.out" } })])])).toEqual(["x.y.z.out"]);
  });

  it("read only references: plain values and objects without an expression are no references, an empty list names nothing", () => {
    const blocks = [block("loki.write", "prod", { url: "loki.write.other.receiver", n: 3, none: null, map: { other: "x.y.z" } }), block("prometheus.scrape", "p", { forward_to: { expr: "[]" } })];
    expect(danglingReferences(blocks)).toEqual([]);
    expect(alloyProblems([block("loki.source.api", "x", { forward_to: { expr: "[loki.write.gone.receiver]" } })], { probes: [] })).toEqual(["loki.write.gone.receiver names no component of the file"]);
  });

  it("count the blackbox exporter's targets only, in any order, and name every one that differs", () => {
    const withOther = sender([target("vaultwarden"), block("note", undefined, { name: "not-a-target", labels: { service: "x" } }), target("navidrome")]);
    expect(alloyProblems(withOther, { probes: ["vaultwarden", "navidrome"] })).toEqual([]);
    expect(alloyProblems(sender([target("a"), target("b")]), { probes: ["c"] })).toEqual(["probes a, b; expected c"]);
  });

  it("refuse a missing or extra probe, a module that is not prod's, and a target labelled with another service", () => {
    expect(alloyProblems(sender([target("vaultwarden")]), { probes: ["navidrome", "vaultwarden"] })).toEqual(["probes vaultwarden; expected navidrome, vaultwarden"]);
    expect(alloyProblems([block("loki.write", "prod")], { probes: ["navidrome"] })).toEqual(["probes nothing; expected navidrome"]);
    const followRedirects = stringify({ modules: { http_2xx: { ...blackboxModules.http_2xx, http: { ...blackboxModules.http_2xx.http, follow_redirects: true } } } });
    expect(alloyProblems(sender([target("vaultwarden")], followRedirects), { probes: ["vaultwarden"] })[0]).toMatch(/^the embedded blackbox modules are .*"follow_redirects":true.*; expected prod's exporter's$/);
    expect(alloyProblems(sender([target("vaultwarden", { service: "navidrome" })]), { probes: ["vaultwarden"] })).toEqual(['target vaultwarden is labelled {"service":"navidrome"}; expected its service']);
  });
});
