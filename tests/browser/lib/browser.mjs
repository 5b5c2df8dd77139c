// Debian's Chromium, driven by playwright-core (never a browser download).
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// run.sh installs the pinned playwright-core with `npm ci` outside the source tree.
const require = createRequire(join(process.env.CSM_NODE_MODULES || join(here, "..", "node_modules"), "x.js"));
const { chromium } = require("playwright-core");

export const chromiumPath = process.env.CSM_CHROMIUM || "/usr/bin/chromium";

export const artifactsDir = join(
  process.env.CSM_ARTIFACTS_DIR || resolve(here, "..", "..", "..", "build", "test-artifacts"),
  "browser"
);

export async function launchChromium() {
  const profile = await mkdtemp(join(tmpdir(), "csm-chromium-"));
  await mkdir(artifactsDir, { recursive: true });
  // A persistent context is how Playwright takes a fresh --user-data-dir of our own.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// Records what a page does that a test must never see: console errors (a Content-Security-
// Policy violation is one), uncaught exceptions, dialogs (alert() from an XSS), and
// requests to any other host than the daemon.
// Set problems.daemonDown while the daemon is stopped on purpose: failed requests are
// expected then.
export function watchPage(page, daemonUrl) {
  const problems = [];
  Object.defineProperty(problems, "daemonDown", { value: false, writable: true, enumerable: false });
  const origin = new URL(daemonUrl).origin;
  const networkError = /ERR_CONNECTION_REFUSED|htmx:sendError|htmx:afterRequest|WebSocket connection/;
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (problems.daemonDown && networkError.test(message.text())) return;
    problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("data:") || url.startsWith("blob:")) return;
    const { origin: to, protocol } = new URL(url);
    const sameHost = to === origin || (protocol === "ws:" && to.replace("ws:", "http:") === origin);
    if (!sameHost) problems.push(`request to another host: ${url}`);
  });
  return problems;
}
