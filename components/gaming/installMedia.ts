// The gaming VM's answer medium, built on the host: a small ISO holding
// autounattend.xml (from standard input: it holds the account's password),
// the virtio drivers under $WinPEDriver$ (Setup loads every driver there
// before it looks for disks) and the virtio guest tools installer, the last
// two taken from the pinned virtio-win ISO. Windows Setup, booted from the
// Windows ISO in the VM's CD-ROM drive, reads the answer file from the root
// of any removable medium: this one goes into a second drive (ide0), which
// the step attaches itself, since the provider manages one CD-ROM drive and
// skips CD-ROM media when it reads a VM's disks. Files are named by Proxmox
// volume IDs (<storage>:iso/<file>) and resolved with `pvesm path`.
import { shellQuote as q } from "../shell";
import { header } from "../hypervisor/hostConfig";
import { guestToolsInstaller, virtioDrivers } from "./unattend";

export interface AnswerMedium {
  vmId: number;
  /** The virtio-win ISO the program downloads, e.g. local:iso/virtio-win-0.1.285.iso. */
  virtioIso: string;
  /** Where the answer medium goes. */
  output: string;
}

/** The answer medium's volume ID on the ISO storage. */
export const answerMediumVolume = (isoDatastore: string) => `${isoDatastore}:iso/homelab-gaming-answer.iso`;
/** The drive it is attached to (the Windows ISO is in ide2, the provider's drive). */
export const answerDrive = "ide0";

export function answerMediumScript(m: AnswerMedium): string {
  return [
    header,
    `virtio=$(pvesm path ${q(m.virtioIso)})`,
    `out=$(pvesm path ${q(m.output)})`,
    `command -v xorriso >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y xorriso >/dev/null; echo CHANGED xorriso; }`,
    `stage=$(mktemp -d)`,
    // Extracted files keep the ISO's read-only modes: make them writable again before removing them.
    `trap 'chmod -R u+w "$stage"; rm -rf "$stage"' EXIT`,
    `cat > "$stage/autounattend.xml"`,
    `mkdir "$stage/\\$WinPEDriver\\$"`,
    `for driver in ${virtioDrivers.join(" ")}; do`,
    // xorriso talks on stderr even when it works: its words are shown only when it fails.
    `  if ! msg=$(xorriso -osirrox on -indev "$virtio" -extract "/$driver/w11/amd64" "$stage/\\$WinPEDriver\\$/$driver" 2>&1); then printf '%s\\n' "$msg" >&2; echo "$driver/w11/amd64: not found on $virtio" >&2; exit 1; fi`,
    `done`,
    `if ! msg=$(xorriso -osirrox on -indev "$virtio" -extract ${q(`/${guestToolsInstaller}`)} "$stage/${guestToolsInstaller}" 2>&1); then printf '%s\\n' "$msg" >&2; echo ${q(`${guestToolsInstaller}: not found on`)} "$virtio" >&2; exit 1; fi`,
    `rm -f "$out.part"`,
    `xorriso -as mkisofs -quiet -J -joliet-long -R -V HOMELAB_ANSWER -o "$out.part" "$stage"`,
    `mv "$out.part" "$out"`,
    `qm set ${q(m.vmId)} --${answerDrive} ${q(`${m.output},media=cdrom`)} >/dev/null`,
    `echo ${q(`CHANGED ${m.output} in ${answerDrive}`)}`,
  ].join("\n");
}
