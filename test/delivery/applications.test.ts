// The Argo CD check's own client, against a loopback HTTPS stand-in of the
// Kubernetes API (a certificate made for the test, as the pod's CA).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import { clusterLabel, inClusterAccess, listApplications } from "../../delivery/applications";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-api-"));
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "ca.crt")], { stdio: "ignore" });
fs.writeFileSync(path.join(dir, "token"), "sa-token\n");

describe("the Argo CD Applications, read as the runner's pod reads them", () => {
  let server: https.Server;
  let port = 0;
  const seen: { url?: string; authorization?: string; accept?: string }[] = [];
  let answer: { status: number; body: string } = { status: 200, body: "" };
  beforeAll(async () => {
    server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "ca.crt")) }, (req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization, accept: req.headers.accept });
      res.writeHead(answer.status);
      res.end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen.length = 0));

  const access = () => inClusterAccess({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(port) }, dir);

  it("finds the API, the token and the CA where Kubernetes puts them in a pod", () => {
    expect(access()).toEqual({ url: `https://127.0.0.1:${port}`, token: "sa-token", ca: fs.readFileSync(path.join(dir, "ca.crt"), "utf8") });
    expect(inClusterAccess({ KUBERNETES_SERVICE_HOST: "fd00::1" }, dir).url).toBe("https://[fd00::1]:443");
    expect(() => inClusterAccess({}, dir)).toThrow("not in a Kubernetes pod (KUBERNETES_SERVICE_HOST unset): this check runs on the prod cluster's runner");
  });

  it("lists the cluster's Applications with the service account's token, trusting only the pod's CA", async () => {
    answer = { status: 200, body: JSON.stringify({ items: [{ metadata: { name: "a" } }] }) };
    expect(await listApplications(access(), "dev")).toEqual({ items: [{ metadata: { name: "a" } }] });
    expect(seen).toEqual([{ url: `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications?labelSelector=${encodeURIComponent(`${clusterLabel}=dev`)}`, authorization: "Bearer sa-token", accept: "application/json" }]);
    await expect(listApplications({ ...access(), ca: undefined }, "dev")).rejects.toThrow(/self-signed certificate/);
  });

  it("says what went wrong: a refusal with its answer, an answer that is not JSON", async () => {
    answer = { status: 403, body: `forbidden ${"x".repeat(300)}` };
    await expect(listApplications(access(), "dev", "other ns")).rejects.toThrow(new RegExp(`^/apis/argoproj.io/v1alpha1/namespaces/other%20ns/applications: HTTP 403: forbidden x{190}$`));
    answer = { status: 200, body: "<html>" };
    await expect(listApplications(access(), "dev")).rejects.toThrow(/^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications: not JSON \(/);
  });
});
