// The gaming VM's unattended Windows install (stories 6.1.1 and 6.1.2):
// the answer file Windows Setup reads from its install medium
// (autounattend.xml at the root), rendered from config. Setup loads the
// virtio storage and network drivers from the medium's $WinPEDriver$
// folder; the answer file partitions the system disk and the games disk,
// makes a local administrator with the generated password, keeps Remote
// Desktop off, and at first logon installs the virtio guest tools (the
// QEMU guest agent among them), Sunshine and Steam at pinned versions.

export interface WindowsInstall {
  /** The image's name in the ISO's install.wim, e.g. "Windows 11 Pro". */
  edition: string;
  /** Language and formats, e.g. en-US. */
  locale: string;
  /** Keyboard layout as Windows names it, e.g. 0409:00000409 (US) or 040c:0000040c (French). */
  keyboard: string;
  /** Windows' time zone ID, e.g. Romance Standard Time. */
  timeZone: string;
  /** NetBIOS name, at most 15 characters. */
  computerName: string;
  /** The local account the family plays with. */
  user: string;
  /** The edition's generic install key (Microsoft publishes them; it selects, it does not activate), when Setup would ask. */
  productKey?: string;
  /** The game library: an NFS export of the host, mounted at every logon on libraryDriveLetter. */
  library?: { host: string; exportPath: string };
}

/** winget packages installed at first logon: ID and exact version. */
export interface GuestPackage {
  id: string;
  version: string;
}

/** The virtio drivers Setup needs for the disk and the network, and the guest's other devices (virtio-win's folder names). */
export const virtioDrivers = ["vioscsi", "viostor", "NetKVM", "Balloon", "vioserial"] as const;
/** The installer of the virtio drivers and the QEMU guest agent, at the root of the virtio-win ISO and of the install medium. */
export const guestToolsInstaller = "virtio-win-guest-tools.exe";
/** Where the games disk is mounted in Windows. */
export const gamesDriveLetter = "G";
/** Where the host's game library (an NFS share) is mounted in Windows. */
export const libraryDriveLetter = "L";
/** The logon task that mounts it. */
export const libraryTask = "Homelab game library";

/** Text as XML character data: markup characters escaped, line breaks as references so indentation never touches a value. */
const xmlText = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\r/g, "&#13;").replace(/\n/g, "&#10;");

/** One element per line; values are XML-escaped, children are already rendered. */
const el = (name: string, content: string | string[], attrs = ""): string =>
  Array.isArray(content) ? `<${name}${attrs}>\n${content.map((c) => c.replace(/^/gm, "  ")).join("\n")}\n</${name}>` : `<${name}${attrs}>${xmlText(content)}</${name}>`;

const add = ' wcm:action="add"';
const component = (name: string, children: string[]) =>
  el("component", children, ` name="${name}" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS"`);

/** A PowerShell single-quoted string: ' doubled. */
const psQuote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The first-logon commands, in order (each one line for cmd.exe). */
export function firstLogonCommands(w: WindowsInstall, packages: GuestPackage[]): { description: string; command: string }[] {
  const winget = (p: GuestPackage) =>
    `winget install --id ${p.id} --version ${p.version} --exact --silent --scope machine --accept-package-agreements --accept-source-agreements --disable-interactivity`;
  return [
    {
      description: "virtio drivers and the QEMU guest agent, from the install medium",
      command: `cmd /c for %d in (D E F H I J) do if exist %d:\\${guestToolsInstaller} start /wait %d:\\${guestToolsInstaller} /install /passive /norestart`,
    },
    { description: "the account's password does not expire", command: `powershell -NoProfile -Command "Set-LocalUser -Name ${psQuote(w.user)} -PasswordNeverExpires $true"` },
    ...packages.map((p) => ({ description: `${p.id} ${p.version}`, command: winget(p) })),
    ...(w.library ? libraryCommands(w.user, w.library) : []),
  ];
}

/**
 * Windows' Client for NFS, and a logon task mounting the library for the
 * player's session (a mount belongs to the session that makes it).
 * Anonymous: the host squashes the guest to nobody, so the library reads as
 * its owners let everyone read it.
 */
function libraryCommands(user: string, library: { host: string; exportPath: string }): { description: string; command: string }[] {
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(library.host)) throw new Error(`library host ${JSON.stringify(library.host)}: expected the host's IPv4 address`);
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(library.exportPath) || library.exportPath.split("/").some((p) => p === "." || p === "..")) {
    throw new Error(`library exportPath ${JSON.stringify(library.exportPath)}: expected an absolute path of plain names, like /tank/media/games`);
  }
  const unc = `\\\\${library.host}${library.exportPath.replace(/\//g, "\\")}`;
  const mount = `C:\\Windows\\System32\\mount.exe -o anon,nolock ${unc} ${libraryDriveLetter}:`;
  return [
    { description: "Client for NFS, for the game library on the host", command: "dism /online /enable-feature /featurename:ServicesForNFS-ClientOnly /featurename:ClientForNFS-Infrastructure /all /norestart" },
    { description: `the game library on ${libraryDriveLetter}: at every logon`, command: `schtasks /create /f /tn "${libraryTask}" /sc onlogon /ru ${user} /it /tr "${mount}"` },
  ];
}

/**
 * The answer file. Disk 0 is the system disk (EFI, MSR, Windows on C:),
 * disk 1 the games disk (one NTFS volume on G:). The password appears in
 * the oobeSystem pass only (the account and its single automatic logon,
 * which runs the first-logon commands).
 */
export function autounattendXml(w: WindowsInstall, password: string, packages: GuestPackage[]): string {
  if (!/^[A-Za-z0-9-]{1,15}$/.test(w.computerName)) throw new Error(`computerName ${JSON.stringify(w.computerName)}: expected at most 15 letters, digits and -`);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(w.user)) throw new Error(`user ${JSON.stringify(w.user)}: expected a lowercase account name of at most 20 characters`);
  const locales = (extra: string[] = []) => [el("InputLocale", w.keyboard), el("SystemLocale", w.locale), el("UILanguage", w.locale), el("UserLocale", w.locale), ...extra];
  const partition = (order: number, type: string, extra: string[]) => el("CreatePartition", [el("Order", String(order)), el("Type", type), ...extra], add);
  const modify = (order: number, extra: string[]) => el("ModifyPartition", [el("Order", String(order)), el("PartitionID", String(order)), ...extra], add);
  const secret = el("Password", [el("Value", password), el("PlainText", "true")]);
  const commands = firstLogonCommands(w, packages).map((c, i) => el("SynchronousCommand", [el("Order", String(i + 1)), el("Description", c.description), el("CommandLine", c.command)], add));

  const windowsPE = el(
    "settings",
    [
      component("Microsoft-Windows-International-Core-WinPE", [el("SetupUILanguage", [el("UILanguage", w.locale)]), ...locales()]),
      component("Microsoft-Windows-Setup", [
        el("DiskConfiguration", [
          el(
            "Disk",
            [
              el("DiskID", "0"),
              el("WillWipeDisk", "true"),
              el("CreatePartitions", [partition(1, "EFI", [el("Size", "300")]), partition(2, "MSR", [el("Size", "16")]), partition(3, "Primary", [el("Extend", "true")])]),
              el("ModifyPartitions", [modify(1, [el("Format", "FAT32"), el("Label", "System")]), modify(2, []), modify(3, [el("Format", "NTFS"), el("Label", "Windows"), el("Letter", "C")])]),
            ],
            add,
          ),
          el(
            "Disk",
            [
              el("DiskID", "1"),
              el("WillWipeDisk", "true"),
              el("CreatePartitions", [partition(1, "Primary", [el("Extend", "true")])]),
              el("ModifyPartitions", [modify(1, [el("Format", "NTFS"), el("Label", "Games"), el("Letter", gamesDriveLetter)])]),
            ],
            add,
          ),
        ]),
        el("ImageInstall", [el("OSImage", [el("InstallFrom", [el("MetaData", [el("Key", "/IMAGE/NAME"), el("Value", w.edition)], add)]), el("InstallTo", [el("DiskID", "0"), el("PartitionID", "3")])])]),
        el("UserData", [el("AcceptEula", "true"), ...(w.productKey ? [el("ProductKey", [el("Key", w.productKey), el("WillShowUI", "OnError")])] : [])]),
      ]),
    ],
    ' pass="windowsPE"',
  );
  const specialize = el(
    "settings",
    [
      component("Microsoft-Windows-Shell-Setup", [el("ComputerName", w.computerName), el("TimeZone", w.timeZone)]),
      // Remote Desktop stays off: Sunshine is the way in.
      component("Microsoft-Windows-TerminalServices-LocalSessionManager", [el("fDenyTSConnections", "true")]),
    ],
    ' pass="specialize"',
  );
  const oobe = el(
    "settings",
    [
      component("Microsoft-Windows-International-Core", locales()),
      component("Microsoft-Windows-Shell-Setup", [
        el("OOBE", [el("HideEULAPage", "true"), el("HideOEMRegistrationScreen", "true"), el("HideOnlineAccountScreens", "true"), el("HideWirelessSetupInOOBE", "true"), el("ProtectYourPC", "3")]),
        el("UserAccounts", [el("LocalAccounts", [el("LocalAccount", [secret, el("Group", "Administrators"), el("DisplayName", w.user), el("Name", w.user)], add)])]),
        el("AutoLogon", [secret, el("Enabled", "true"), el("LogonCount", "1"), el("Username", w.user)]),
        el("FirstLogonCommands", commands),
      ]),
    ],
    ' pass="oobeSystem"',
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n${el("unattend", [windowsPE, specialize, oobe], ' xmlns="urn:schemas-microsoft-com:unattend" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State"')}\n`;
}
