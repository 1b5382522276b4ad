// Open the HTML report in headless Chromium, run axe-core's WCAG 2.2 AA rules and take a
// full-page screenshot, once per viewport. Called by tests/test_browser.py; prints one JSON
// object on stdout and exits 0 whenever the check ran (the Python test judges the result).
//
// Usage: node axe_check.mjs CHROMIUM REPORT.html OUT_DIR NAME:WIDTHxHEIGHT [NAME:WIDTHxHEIGHT ...]
//
// The report must be self-contained, so every request other than the report file itself is
// blocked and listed in the result. Chromium runs with the flags it needs on a closed network
// (no background fetches, no component updates) and a fresh, empty profile from Playwright.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_VERSION = require("axe-core/package.json").version;
const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const [executablePath, reportPath, outDir, ...viewports] = process.argv.slice(2);
if (!executablePath || !reportPath || !outDir || viewports.length === 0) {
  console.error("usage: node axe_check.mjs CHROMIUM REPORT.html OUT_DIR NAME:WxH [...]");
  process.exit(2);
}
const reportUrl = pathToFileURL(path.resolve(reportPath)).href;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  timeout: 60_000,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const result = { axe_version: AXE_VERSION, browser_version: browser.version(), tags: WCAG_22_AA, viewports: [] };
try {
  for (const spec of viewports) {
    const [name, size] = spec.split(":");
    const [width, height] = size.split("x").map(Number);
    const context = await browser.newContext({ viewport: { width, height }, locale: "en-GB", javaScriptEnabled: true });
    const page = await context.newPage();
    const blocked = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url === reportUrl) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(reportUrl, { waitUntil: "load" });
    await page.addScriptTag({ content: AXE_SOURCE });
    const axe = await page.evaluate(async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
      return {
        violations: r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
          nodes: v.nodes.length,
          examples: v.nodes.slice(0, 3).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
        })),
        passes: r.passes.length,
        incomplete: r.incomplete.length,
      };
    }, WCAG_22_AA);
    // Responsive: at this width nothing may force the page to scroll sideways.
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      scrollHeight: document.documentElement.scrollHeight,
    }));
    const screenshot = path.join(outDir, `report-${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    result.viewports.push({ name, width, height, ...axe, layout, blocked_requests: blocked, screenshot });
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
