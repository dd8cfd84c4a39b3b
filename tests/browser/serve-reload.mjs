// Open the page `psa-report serve` serves in Debian's headless Chromium, then wait for it
// to reload by itself after the test edits a file: this script never navigates again.
//
//   node serve-reload.mjs URL NEW_TEXT [TIMEOUT_MS]
//
// Prints "ready" once the page is loaded and marked, then (when NEW_TEXT has appeared,
// or the time is up) one line of JSON: what happened.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const [url, newText, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg || 15000);
const profile = mkdtempSync(path.join(tmpdir(), "psa-chromium-"));

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const result = { loads: 0, found: false, markerAfter: null, errors: [], requests: [] };
try {
  const page = await context.newPage();
  page.on("load", () => { result.loads += 1; });
  page.on("console", (message) => {
    if (message.type() === "error") result.errors.push(message.text());
  });
  page.on("pageerror", (error) => result.errors.push(String(error)));
  page.on("request", (request) => result.requests.push(new URL(request.url()).pathname));
  await page.goto(url, { waitUntil: "load", timeout });
  result.textBefore = (await page.textContent("body")).includes(newText);
  // A mark that only this load of the page has: a reload clears it.
  await page.evaluate(() => { window.psaMarker = "before"; });
  // Give the page's EventSource its first message before the edit.
  await page.waitForTimeout(300);
  console.log("ready");

  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    try {
      const body = await page.textContent("body", { timeout: 1000 });
      if (body.includes(newText)) {
        result.found = true;
        break;
      }
    } catch (error) {
      // the page is between two loads: look again
    }
    await page.waitForTimeout(50);
  }
  result.markerAfter = await page.evaluate(() => window.psaMarker ?? null);
  result.scriptRan = await page.evaluate(() => document.querySelector("script[data-version]") !== null);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
