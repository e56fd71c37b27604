// The family dashboard for real: Glance (built by `npm run tools`) serves the
// configuration the plan generated, on loopback, and a headless Chromium
// opens it. Every family service's link must be on the page and no admin
// app's; a screenshot is kept beside the configuration.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { freePort } from "./net";

export interface PageExpectation {
  /** URLs that must be links on the page (the family's services). */
  present: string[];
  /** URLs that must not appear anywhere on the page (admin apps). */
  absent: string[];
}

export interface PageResult {
  ok: boolean;
  message: string;
}

/** Chromium as Debian installs it, unless CHROMIUM names another. */
export const chromiumPath = (): string => process.env.CHROMIUM ?? "/usr/bin/chromium";

async function waitForHealth(url: string, glance: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (glance.exitCode !== null) throw new Error(`glance exited with ${glance.exitCode}: ${log().trim().split("\n").slice(-3).join(" | ")}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`glance did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** Serves `configFile` with `glance` on a free loopback port, opens it in Chromium, checks the links, saves `screenshot`. */
export async function checkGlancePage(glanceBin: string, configFile: string, expect: PageExpectation, screenshot: string): Promise<PageResult> {
  if (!fs.existsSync(chromiumPath())) return { ok: false, message: `no Chromium at ${chromiumPath()}: install Debian's chromium (apt-get install chromium) or set CHROMIUM` };
  // The cluster's config, moved to loopback: same pages and widgets, nothing else changed.
  const config = parse(fs.readFileSync(configFile, "utf8")) as { server: Record<string, unknown> };
  const port = await freePort();
  const local = path.join(path.dirname(screenshot), "glance.loopback.yml");
  fs.writeFileSync(local, stringify({ ...config, server: { ...config.server, host: "127.0.0.1", port, proxied: false } }));
  let output = "";
  const glance = spawn(glanceBin, ["--config", local], { stdio: ["ignore", "pipe", "pipe"] });
  glance.stdout?.on("data", (d) => (output += String(d)));
  glance.stderr?.on("data", (d) => (output += String(d)));
  const { chromium } = await import("playwright-core");
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(`${base}/api/healthz`, glance, () => output);
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`, { waitUntil: "load", timeout: 60_000 });
    // The widgets arrive after the page shell, from Glance's content API.
    await page.waitForSelector(".widget-type-bookmarks a[href]", { timeout: 60_000 });
    const links = new Set((await page.$$eval("a[href]", (as) => as.map((a) => (a as unknown as { href: string }).href))).map((h) => h.replace(/\/$/, "")));
    const html = await page.content();
    await page.screenshot({ path: screenshot, fullPage: true });
    const missing = expect.present.filter((u) => !links.has(u));
    const leaked = expect.absent.filter((u) => html.includes(u));
    const problems = [
      ...(missing.length ? [`missing links: ${missing.join(", ")}`] : []),
      ...(leaked.length ? [`admin apps on the page: ${leaked.join(", ")}`] : []),
    ];
    return problems.length
      ? { ok: false, message: problems.join("; ") }
      : { ok: true, message: `${expect.present.length} family links present, ${expect.absent.length} admin apps absent (screenshot ${path.basename(screenshot)})` };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  } finally {
    await browser?.close();
    glance.kill();
  }
}
