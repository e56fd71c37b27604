// The launch page's HTML (pure): the gaming VM, its state, whether it fits
// in memory now, and the buttons that make sense for that state. Plain forms
// (no script): a press posts, the server answers with a redirect back here,
// and the page refreshes itself while a start or stop is under way.
import type { HostVm, MemoryVerdict } from "../memory";

export interface LaunchView {
  vm: HostVm;
  verdict: MemoryVerdict;
  /** Who is signed in (the SSO proxy's X-Forwarded-User). */
  user: string;
  /** The start or stop under way or last done. */
  job?: { action: "start" | "stop"; running: boolean; ok?: boolean; lines: string[] };
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
const gb = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GB`;
const button = (action: string, label: string, extra = "") => `<form method="post" action="${action}">${extra}<button type="submit">${escape(label)}</button></form>`;

export function launchPage(v: LaunchView): string {
  const busy = v.job?.running === true;
  const state = v.vm.running ? "running" : "stopped";
  const actions: string[] = [];
  if (!busy && v.vm.running) actions.push(button("/stop", "Stop"));
  if (!busy && !v.vm.running && v.verdict.fits) actions.push(button("/start", "Start"));
  if (!busy && !v.vm.running && !v.verdict.fits && v.verdict.stopDev.length > 0) actions.push(button("/start", "Stop DEV and start", '<input type="hidden" name="stopDev" value="1">'));
  const memory = v.verdict.fits
    ? `It fits: ${gb(v.vm.memoryMiB)} needed, ${gb(v.verdict.freeMiB)} free.`
    : v.verdict.stopDev.length > 0
      ? `Not enough memory while DEV runs: ${gb(v.verdict.neededMiB)} needed, ${gb(v.verdict.freeMiB)} free. Stopping DEV (${v.verdict.stopDev.map((d) => d.name).join(", ")}) makes room.`
      : `Not enough memory even with DEV stopped: ${gb(v.verdict.neededMiB)} needed, ${gb(v.verdict.freeMiB)} free. Ask the admin.`;
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
    '<table id="vms"><thead><tr><th>VM</th><th>State</th><th>Memory</th></tr></thead><tbody>',
    `<tr data-vmid="${v.vm.vmid}"><td class="name">${escape(v.vm.name)}</td><td class="state">${state}</td><td>${gb(v.vm.memoryMiB)}</td></tr>`,
    "</tbody></table>",
    v.vm.running ? "" : `<p id="memory">${escape(memory)}</p>`,
    `<div id="actions">${actions.join("")}</div>`,
    job,
    "<p>Play with Moonlight once it says ready; the VM stops by itself when nobody plays.</p>",
    "</body></html>",
    "",
  ].join("\n");
}
