import { egressProxyUrl, squidConf } from "../../components/omni/egressProxy";

describe("the static-IP egress proxy's configuration (pure)", () => {
  const conf = squidConf({ listenIp: "10.0.1.10", allowedCidrs: ["10.0.1.0/24"], port: 3128 });
  const lines = conf.split("\n");

  it("listens on the VM's private address only, never on every interface", () => {
    expect(lines).toContain("http_port 10.0.1.10:3128");
    expect(lines.filter((l) => l.startsWith("http_port"))).toHaveLength(1);
  });

  it("answers the cluster's subnet, tunnels to 443 only, web ports only, and refuses everything else last", () => {
    expect(lines).toContain("acl cluster src 10.0.1.0/24");
    const access = lines.filter((l) => l.startsWith("http_access"));
    expect(access).toEqual(["http_access deny !cluster", "http_access deny CONNECT !tls_port", "http_access deny !web_ports", "http_access allow cluster", "http_access deny all"]);
    expect(lines).toContain("acl tls_port port 443");
    expect(lines).toContain("acl web_ports port 80 443");
  });

  it("caches nothing and adds no client headers", () => {
    expect(lines).toEqual(expect.arrayContaining(["cache deny all", "via off", "forwarded_for delete"]));
  });

  it("lists several sources on one ACL line and refuses an empty list", () => {
    expect(squidConf({ listenIp: "10.0.1.10", allowedCidrs: ["10.0.1.0/24", "10.0.2.0/24"], port: 3128 })).toContain("acl cluster src 10.0.1.0/24 10.0.2.0/24\n");
    expect(() => squidConf({ listenIp: "10.0.1.10", allowedCidrs: [], port: 3128 })).toThrow("egress proxy: allowedCidrs is empty; expected the cluster subnet's CIDR");
  });

  it("gives services a plain http URL (Squid tunnels their TLS)", () => {
    expect(egressProxyUrl("10.0.1.10", 3128)).toBe("http://10.0.1.10:3128");
  });
});
