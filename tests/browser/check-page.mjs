// Load a built HTML report in Debian's headless Chromium, as a reader's browser shows it,
// at phone and desktop width: run axe-core's WCAG 2.2 A and AA rules (the 2.0, 2.1 and
// 2.2 tags), measure sideways scrolling, record every request the page makes, and save
// a screenshot of each.
//
//   node check-page.mjs REPORT.html SCREENSHOT_FOLDER   -> JSON on stdout
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [htmlPath, shots] = process.argv.slice(2);
const pageUrl = pathToFileURL(path.resolve(htmlPath)).href;
const profile = mkdtempSync(path.join(tmpdir(), "psa-chromium-"));

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results = {};
try {
  for (const [name, width, height] of [["phone", 375, 812], ["desktop", 1280, 900]]) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    const requests = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pageUrl, { waitUntil: "load" });
    await page.addScriptTag({ content: axeSource });
    const axe = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    }));
    const size = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      bodyScrollWidth: document.body.scrollWidth,
    }));
    // Every status word of the data tables, as laid out: is it inside the screen's width?
    const statuses = await page.evaluate(() => [...document.querySelectorAll(
      "table.items .status-cell .status")].map((e) => {
        const box = e.getBoundingClientRect();
        return { left: box.left, right: box.right, width: box.width };
      }));
    await page.screenshot({ path: path.join(shots, `${name}.png`) });
    results[name] = {
      width,
      ...size,
      violations: axe.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
      passes: axe.passes.length,
      statuses,
      // The page itself is the only thing it may load.
      requests: requests.filter((url) => url !== pageUrl),
    };
    await page.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
