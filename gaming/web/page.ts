// The launch page's HTML (pure): the gaming VM (or, when KubeVirt has the
// GPU, the gaming session), its state, whether the VM fits in memory now, and
// the buttons that make sense for that state. Plain forms (no script): a
// press posts, the server answers with a redirect back here, and the page
// refreshes itself while a start or stop is under way.
import type { SessionState } from "../kubevirtApi";
import type { HostVm, MemoryVerdict } from "../memory";

/** What the page is about: the Proxmox VM with the host's memory mode, or the KubeVirt session. */
export type LaunchSubject = { kind: "vm"; vm: HostVm; verdict: MemoryVerdict } | { kind: "session"; session: SessionState };

export interface LaunchView {
  subject: LaunchSubject;
  /** Who is signed in (the SSO proxy's X-Forwarded-User). */
  user: string;
  /** The start or stop under way or last done. */
  job?: { action: "start" | "stop"; running: boolean; ok?: boolean; lines: string[] };
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
const gb = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GB`;
const button = (action: string, label: string, extra = "") => `<form method="post" action="${action}">${extra}<button type="submit">${escape(label)}</button></form>`;

/** The table row, the memory line (Proxmox only) and the buttons for the subject's state. */
function subjectParts(subject: LaunchSubject, busy: boolean): { row: string; memory: string; actions: string[]; closing: string } {
  const actions: string[] = [];
  if (subject.kind === "session") {
    const s = subject.session;
    if (!busy && s.running) actions.push(button("/stop", "Stop"));
    if (!busy && !s.running) actions.push(button("/start", "Start"));
    return {
      row: `<tr data-session="${escape(s.name)}"><td class="name">${escape(s.name)}</td><td class="state">${escape(s.status.toLowerCase())}</td><td>KubeVirt on PROD</td></tr>`,
      memory: "",
      actions,
      closing: "<p>Play with Moonlight once it says ready; stop the session when you are done.</p>",
    };
  }
  const { vm, verdict } = subject;
  if (!busy && vm.running) actions.push(button("/stop", "Stop"));
  if (!busy && !vm.running && verdict.fits) actions.push(button("/start", "Start"));
  if (!busy && !vm.running && !verdict.fits && verdict.stopDev.length > 0) actions.push(button("/start", "Stop DEV and start", '<input type="hidden" name="stopDev" value="1">'));
  const memory = verdict.fits
    ? `It fits: ${gb(vm.memoryMiB)} needed, ${gb(verdict.freeMiB)} free.`
    : verdict.stopDev.length > 0
      ? `Not enough memory while DEV runs: ${gb(verdict.neededMiB)} needed, ${gb(verdict.freeMiB)} free. Stopping DEV (${verdict.stopDev.map((d) => d.name).join(", ")}) makes room.`
      : `Not enough memory even with DEV stopped: ${gb(verdict.neededMiB)} needed, ${gb(verdict.freeMiB)} free. Ask the admin.`;
  return {
    row: `<tr data-vmid="${vm.vmid}"><td class="name">${escape(vm.name)}</td><td class="state">${vm.running ? "running" : "stopped"}</td><td>${gb(vm.memoryMiB)}</td></tr>`,
    memory: vm.running ? "" : `<p id="memory">${escape(memory)}</p>`,
    actions,
    closing: "<p>Play with Moonlight once it says ready; the VM stops by itself when nobody plays.</p>",
  };
}

export function launchPage(v: LaunchView): string {
  const busy = v.job?.running === true;
  const parts = subjectParts(v.subject, busy);
  const job = v.job
    ? `<section id="job"><h2>${v.job.action === "start" ? "Start" : "Stop"}: ${v.job.running ? "under way" : v.job.ok ? "done" : "failed"}</h2><ul>${v.job.lines.map((l) => `<li>${escape(l)}</li>`).join("")}</ul></section>`
    : "";
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    busy ? '<meta http-equiv="refresh" content="5">' : "",
    "<title>Gaming</title>",
    "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.3rem .8rem;text-align:left}form{display:inline-block;margin:.5rem .5rem 0 0}button{font-size:1.1rem;padding:.5rem 1.2rem}</style>",
    "</head><body>",
    `<header><h1>Gaming</h1><p>Signed in as ${escape(v.user)}</p></header>`,
    `<table id="vms"><thead><tr><th>${v.subject.kind === "vm" ? "VM" : "Session"}</th><th>State</th><th>${v.subject.kind === "vm" ? "Memory" : "Runs on"}</th></tr></thead><tbody>`,
    parts.row,
    "</tbody></table>",
    parts.memory,
    `<div id="actions">${parts.actions.join("")}</div>`,
    job,
    parts.closing,
    "</body></html>",
    "",
  ].join("\n");
}
