// The gaming VM's answer file and answer medium. No schema of Windows' unattend
// format is available offline, so the answer file is read by an XML parser
// (Python's, a real one) and checked for the structure Windows Setup reads:
// passes, components, the disks, the account, the first-logon commands. The
// medium's script runs with the real xorriso against a small virtio-win ISO
// made here, with stand-ins for Proxmox's `pvesm path` and `qm set`.
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WindowsInstall, autounattendXml, firstLogonCommands, guestToolsInstaller, virtioDrivers } from "../../components/gaming/unattend";
import { answerMediumScript } from "../../components/gaming/installMedia";
import { guestPackages } from "../../config/versions";

const install: WindowsInstall = { edition: "Windows 11 Pro", locale: "fr-FR", keyboard: "040c:0000040c", timeZone: "Romance Standard Time", computerName: "gaming", user: "player" };
const odd = `p<a&s"s'w]]>rd\n2`;

/** The document as Python's XML parser reads it: each element's path, attributes and text. */
function parse(xml: string): { path: string; attrs: Record<string, string>; text: string }[] {
  const py = `
import json, sys, xml.dom.minidom as m
doc = m.parseString(sys.stdin.buffer.read())
out = []
def walk(node, path):
    for c in node.childNodes:
        if c.nodeType == c.ELEMENT_NODE:
            p = path + "/" + c.tagName
            text = "".join(t.data for t in c.childNodes if t.nodeType == t.TEXT_NODE).strip() if all(t.nodeType != t.ELEMENT_NODE for t in c.childNodes) else ""
            out.append({"path": p, "attrs": dict(c.attributes.items()), "text": text})
            walk(c, p)
walk(doc, "")
print(json.dumps(out))
`;
  const r = spawnSync("python3", ["-c", py], { input: xml, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("the answer file", () => {
  const nodes = () => parse(autounattendXml(install, odd, [{ id: "LizardByte.Sunshine", version: "2025.628.4510" }]));
  const texts = (suffix: string) => nodes().filter((n) => n.path.endsWith(suffix)).map((n) => n.text);

  it("is well-formed XML in Windows' unattend namespace, with the three passes Setup runs", () => {
    const all = nodes();
    expect(all[0]).toMatchObject({ path: "/unattend", attrs: { xmlns: "urn:schemas-microsoft-com:unattend", "xmlns:wcm": "http://schemas.microsoft.com/WMIConfig/2002/State" } });
    expect(all.filter((n) => n.path === "/unattend/settings").map((n) => n.attrs.pass)).toEqual(["windowsPE", "specialize", "oobeSystem"]);
    for (const c of all.filter((n) => n.path === "/unattend/settings/component")) {
      expect(c.attrs).toMatchObject({ processorArchitecture: "amd64", publicKeyToken: "31bf3856ad364e35", language: "neutral", versionScope: "nonSxS" });
    }
  });

  it("wipes the system disk into EFI, MSR and Windows on C:, and the games disk into one volume on G:", () => {
    const disks = nodes().filter((n) => /\/DiskConfiguration\/Disk\/DiskID$/.test(n.path));
    expect(disks.map((d) => d.text)).toEqual(["0", "1"]);
    expect(texts("/CreatePartition/Type")).toEqual(["EFI", "MSR", "Primary", "Primary"]);
    expect(texts("/ModifyPartition/Letter")).toEqual(["C", "G"]);
    expect(texts("/ModifyPartition/Label")).toEqual(["System", "Windows", "Games"]);
    expect(texts("/InstallTo/DiskID")).toEqual(["0"]);
    expect(texts("/InstallTo/PartitionID")).toEqual(["3"]);
    expect(texts("/InstallFrom/MetaData/Value")).toEqual(["Windows 11 Pro"]);
  });

  it("keeps Remote Desktop off and sets the name, time zone and locales", () => {
    expect(texts("/fDenyTSConnections")).toEqual(["true"]);
    expect(texts("/ComputerName")).toEqual(["gaming"]);
    expect(texts("/TimeZone")).toEqual(["Romance Standard Time"]);
    expect(texts("/InputLocale")).toEqual(["040c:0000040c", "040c:0000040c"]);
    expect(texts("/UserLocale")).toEqual(["fr-FR", "fr-FR"]);
  });

  it("makes the local administrator with the password exactly, whatever characters it holds, and logs on once", () => {
    expect(texts("/LocalAccount/Name")).toEqual(["player"]);
    expect(texts("/LocalAccount/Group")).toEqual(["Administrators"]);
    expect(texts("/Password/Value")).toEqual([odd, odd]);
    expect(autounattendXml(install, odd, [])).not.toContain(odd);
    expect(texts("/AutoLogon/LogonCount")).toEqual(["1"]);
  });

  it("installs the guest tools from the medium, then each pinned package, in order", () => {
    expect(texts("/SynchronousCommand/Order")).toEqual(["1", "2", "3"]);
    const commands = texts("/SynchronousCommand/CommandLine");
    expect(commands[0]).toContain(`start /wait %d:\\${guestToolsInstaller} /install /passive /norestart`);
    expect(commands[1]).toBe(`powershell -NoProfile -Command "Set-LocalUser -Name 'player' -PasswordNeverExpires $true"`);
    expect(commands[2]).toBe("winget install --id LizardByte.Sunshine --version 2025.628.4510 --exact --silent --scope machine --accept-package-agreements --accept-source-agreements --disable-interactivity");
    expect(firstLogonCommands(install, guestPackages).map((c) => c.description).slice(2)).toEqual(guestPackages.map((p) => `${p.id} ${p.version}`));
  });

  it("with a library share: Client for NFS, then a logon task mounting the host's export on L: for the player", () => {
    expect(firstLogonCommands(install, []).map((c) => c.description)).not.toContain("Client for NFS, for the game library on the host");
    const withLibrary = parse(autounattendXml({ ...install, library: { host: "192.168.68.51", exportPath: "/tank/media/roms" } }, "x", [])).filter((n) => n.path.endsWith("/SynchronousCommand/CommandLine")).map((n) => n.text);
    expect(withLibrary.slice(-2)).toEqual([
      "dism /online /enable-feature /featurename:ServicesForNFS-ClientOnly /featurename:ClientForNFS-Infrastructure /all /norestart",
      'schtasks /create /f /tn "Homelab game library" /sc onlogon /ru player /it /tr "C:\\Windows\\System32\\mount.exe -o anon,nolock \\\\192.168.68.51\\tank\\media\\roms L:"',
    ]);
    expect(() => firstLogonCommands({ ...install, library: { host: "nas.local", exportPath: "/tank/media/roms" } }, [])).toThrow('library host "nas.local": expected the host\'s IPv4 address');
    for (const bad of ["tank/media/roms", "/tank/../etc", "/tank/media/my roms", '/tank/"x"']) {
      expect(() => firstLogonCommands({ ...install, library: { host: "192.168.68.51", exportPath: bad } }, [])).toThrow(`library exportPath ${JSON.stringify(bad)}: expected an absolute path of plain names`);
    }
  });

  it("asks no product key unless given one", () => {
    expect(texts("/ProductKey/Key")).toEqual([]);
    expect(parse(autounattendXml({ ...install, productKey: "VK7JG-NPHTM-C97JM-9MPGT-3V66T" }, "x", [])).filter((n) => n.path.endsWith("/ProductKey/Key")).map((n) => n.text)).toEqual(["VK7JG-NPHTM-C97JM-9MPGT-3V66T"]);
  });

  it("refuses a computer name Windows cannot take, or an account name it would mangle", () => {
    expect(() => autounattendXml({ ...install, computerName: "a-name-longer-than-15" }, "x", [])).toThrow('computerName "a-name-longer-than-15": expected at most 15 letters, digits and -');
    expect(() => autounattendXml({ ...install, user: "Player One" }, "x", [])).toThrow('user "Player One": expected a lowercase account name of at most 20 characters');
  });
});

describe("the answer medium", () => {
  const run = (script: string, stdin: string, env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile("sh", ["-c", script], { env, timeout: 60_000 }, (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }));
      child.stdin?.end(stdin);
    });

  function host(drivers: readonly string[] = virtioDrivers) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaming-media-"));
    const iso = path.join(dir, "iso");
    const bin = path.join(dir, "bin");
    const src = path.join(dir, "virtio");
    for (const d of [iso, bin]) fs.mkdirSync(d);
    for (const d of drivers) {
      fs.mkdirSync(path.join(src, d, "w11", "amd64"), { recursive: true });
      fs.writeFileSync(path.join(src, d, "w11", "amd64", `${d}.inf`), `; ${d}\n`);
      fs.mkdirSync(path.join(src, d, "w10", "amd64"), { recursive: true });
    }
    fs.writeFileSync(path.join(src, guestToolsInstaller), "MZ installer");
    const made = spawnSync("xorriso", ["-as", "mkisofs", "-quiet", "-J", "-R", "-o", path.join(iso, "virtio-win-0.1.285.iso"), src], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(made.stderr);
    // Proxmox's CLI as the script uses it: `pvesm path <storage>:iso/<file>`, `qm set <vmid> --ide0 <volume>,media=cdrom`.
    fs.writeFileSync(path.join(bin, "pvesm"), `#!/bin/sh\n[ "$1" = path ] || exit 2\necho "${iso}/\${2#local:iso/}"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "qm"), `#!/bin/sh\necho "$@" >> "${dir}/qm.log"\n`, { mode: 0o755 });
    return { dir, iso, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } };
  }
  const script = answerMediumScript({ vmId: 300, virtioIso: "local:iso/virtio-win-0.1.285.iso", output: "local:iso/homelab-gaming-answer.iso" });

  it("puts the answer file, each driver under $WinPEDriver$ and the guest tools on the medium, and attaches it", async () => {
    const h = host();
    try {
      const xml = autounattendXml(install, odd, guestPackages);
      const r = await run(script, xml, h.env);
      expect(r).toMatchObject({ code: 0 });
      expect(r.stdout).toContain("CHANGED local:iso/homelab-gaming-answer.iso in ide0");
      const out = path.join(h.iso, "homelab-gaming-answer.iso");
      const files = spawnSync("xorriso", ["-indev", out, "-find", "/", "-type", "f"], { encoding: "utf8" }).stdout.split("\n").map((l) => l.replace(/^'|'$/g, "")).filter(Boolean).sort();
      expect(files).toEqual(["/autounattend.xml", `/${guestToolsInstaller}`, ...virtioDrivers.map((d) => `/$WinPEDriver$/${d}/${d}.inf`)].sort());
      const back = path.join(h.dir, "back.xml");
      spawnSync("xorriso", ["-osirrox", "on", "-indev", out, "-extract", "/autounattend.xml", back]);
      expect(fs.readFileSync(back, "utf8")).toBe(xml);
      expect(fs.readFileSync(path.join(h.dir, "qm.log"), "utf8")).toBe("set 300 --ide0 local:iso/homelab-gaming-answer.iso,media=cdrom\n");
    } finally {
      fs.rmSync(h.dir, { recursive: true, force: true });
    }
  });

  it("stops, attaching nothing, when a driver is missing from the virtio-win ISO", async () => {
    const h = host(virtioDrivers.filter((d) => d !== "NetKVM"));
    try {
      const r = await run(script, "<unattend/>", h.env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("NetKVM/w11/amd64: not found on");
      expect(fs.existsSync(path.join(h.iso, "homelab-gaming-answer.iso"))).toBe(false);
      expect(fs.existsSync(path.join(h.dir, "qm.log"))).toBe(false);
    } finally {
      fs.rmSync(h.dir, { recursive: true, force: true });
    }
  });
});
