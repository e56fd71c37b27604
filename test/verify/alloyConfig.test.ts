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

  it("refuse a missing or extra probe, a module that is not prod's, and a target labelled with another service", () => {
    expect(alloyProblems(sender([target("vaultwarden")]), { probes: ["navidrome", "vaultwarden"] })).toEqual(["probes vaultwarden; expected navidrome, vaultwarden"]);
    expect(alloyProblems([block("loki.write", "prod")], { probes: ["navidrome"] })).toEqual(["probes nothing; expected navidrome"]);
    const followRedirects = stringify({ modules: { http_2xx: { ...blackboxModules.http_2xx, http: { ...blackboxModules.http_2xx.http, follow_redirects: true } } } });
    expect(alloyProblems(sender([target("vaultwarden")], followRedirects), { probes: ["vaultwarden"] })[0]).toMatch(/^the embedded blackbox modules are .*"follow_redirects":true.*; expected prod's exporter's$/);
    expect(alloyProblems(sender([target("vaultwarden", { service: "navidrome" })]), { probes: ["vaultwarden"] })).toEqual(['target vaultwarden is labelled {"service":"navidrome"}; expected its service']);
  });
});
