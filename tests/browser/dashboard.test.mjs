// The dashboard in Debian's Chromium against the real daemon with stub backends: what a user
// sees and does, from the first start to deleting a sandbox.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { artifactsDir, launchChromium, watchPage } from "./lib/browser.mjs";
import { Daemon, waitFor } from "./lib/daemon.mjs";

const XssName = "<img src=x onerror=alert(1)>";

function hasProgram(name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

// The text of the terminal's buffer, as xterm.js holds it (scrollback included).
async function terminalText(page) {
  return page.evaluate(() => {
    const term = window.csmTerminal;
    if (!term) return "";
    const buffer = term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; ++i) lines.push(buffer.getLine(i).translateToString(true));
    return lines.join("\n");
  });
}

// How xterm.js styled the character `offset` places into the first `text` on screen.
async function terminalStyleAt(page, text, offset = 0) {
  return page.evaluate(
    ([needle, shift]) => {
      const buffer = window.csmTerminal.buffer.active;
      for (let y = 0; y < buffer.length; ++y) {
        const line = buffer.getLine(y);
        const x = line.translateToString(true).indexOf(needle);
        if (x < 0) continue;
        const cell = line.getCell(x + shift);
        return { palette: cell.isFgPalette(), colour: cell.getFgColor(), bold: cell.isBold() !== 0 };
      }
      return null;
    },
    [text, offset]
  );
}

async function occurrences(page, text) {
  return (await terminalText(page)).split(text).length - 1;
}

// Is the <img> loaded, and does it show more than one colour (something drawn)?
async function imageInfo(locator) {
  return locator.evaluate((image) => {
    if (!image.complete || image.naturalWidth === 0) return { loaded: false };
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return { loaded: true, width: image.naturalWidth, colours: colours.size };
  });
}

describe("dashboard", () => {
  let daemon;
  let browser;
  let index; // the index page, opened once and never reloaded
  let problems;
  let sandboxId;

  before(async () => {
    daemon = await Daemon.start();
    browser = await launchChromium();
    index = await browser.context.newPage();
    problems = watchPage(index, daemon.url);
  });

  after(async () => {
    if (browser) await browser.close();
    if (daemon) {
      await writeFile(join(artifactsDir, "dashboard-daemon.log"), daemon.log);
      await daemon.stop();
    }
  });

  test("first start: the empty state says how to create a sandbox and offers a demo", async () => {
    await index.goto(daemon.url + "/");
    await index.getByRole("heading", { name: "No sandboxes yet" }).waitFor();
    assert.ok(await index.getByRole("link", { name: "Create a sandbox" }).isVisible());
    assert.ok(await index.locator(".empty-state").getByText("claude-remote create").isVisible());
    await index.screenshot({ path: join(artifactsDir, "index-empty.png") });
  });

  test("the demo sandbox starts with one click and its display shows something", async () => {
    const page = await browser.context.newPage();
    const pageProblems = watchPage(page, daemon.url);
    await page.goto(daemon.url + "/");
    await page.getByRole("button", { name: "Start a demo sandbox" }).click();
    await page.waitForURL(/\/sandboxes\/[0-9a-f-]{36}$/, { timeout: 60000 });
    assert.equal(await page.locator("h1").textContent(), "demo");
    const demo = (await daemon.api("GET", "/api/sandboxes")).json.find((s) => s.name === "demo");
    assert.equal(demo.backend, "demo");
    assert.equal(demo.project_dir, join(daemon.stateDir, "demo"));
    await waitFor(async () => (await terminalText(page)).includes("demo sandbox"), { what: "the demo's banner" });
    const screenshot = page.locator("#screenshot-frame img");
    await screenshot.waitFor({ timeout: 20000 });
    if (hasProgram("xclock") || hasProgram("xeyes")) {
      // The x11-apps draw a few seconds after start: wait for a frame with something on it.
      const info = await waitFor(
        async () => {
          const current = await imageInfo(page.locator("#screenshot-frame img"));
          return current.loaded && current.colours > 1 ? current : null;
        },
        { timeout: 30000, interval: 500, what: "a non-blank demo screen" }
      );
      assert.ok(info.width >= 640);
      // xclock ticks every second: on the index page, open all along, the demo's thumbnail
      // follows the screen (a new URL per frame, swapped in once loaded).
      const thumbnail = index.locator(`li.card[data-key="${demo.id}"] img[data-live]`);
      await thumbnail.waitFor({ timeout: 15000 });
      const first = await thumbnail.getAttribute("src");
      await waitFor(
        async () => (await thumbnail.getAttribute("src")) !== first && (await imageInfo(thumbnail)).loaded,
        { timeout: 30000, what: "a newer thumbnail of the demo" }
      );
    }
    await page.screenshot({ path: join(artifactsDir, "detail-demo.png") });
    await page.close();
    assert.deepEqual(pageProblems, []);
    assert.equal((await daemon.api("DELETE", `/api/sandboxes/${demo.id}`)).status, 204);
  });

  test("a sandbox created through the form appears on the open index without a reload", async () => {
    await index.evaluate(() => {
      window.notReloaded = true;
    });
    const form = await browser.context.newPage();
    const formProblems = watchPage(form, daemon.url);
    await form.goto(daemon.url + "/new");
    await form.getByLabel("Name").fill("first");
    await form.locator("#backend-stub-xvfb").check();
    await form.getByLabel("Project directory").fill(daemon.projectDir);
    assert.ok(await form.getByLabel("Allow network access").isChecked());
    await form.getByRole("button", { name: "Create" }).click();
    await form.waitForURL(/\/sandboxes\/[0-9a-f-]{36}$/);
    sandboxId = form.url().split("/").pop();
    await form.close();
    assert.deepEqual(formProblems, []);

    const card = index.locator(`li.card[data-key="${sandboxId}"]`);
    await card.waitFor({ timeout: 15000 });
    assert.equal(await card.locator(".card-title").textContent(), "first");
    assert.equal(await card.locator(".badge").textContent(), "running");
    assert.match(await card.locator(".card-meta").textContent(), new RegExp(`stub-xvfb · ${sandboxId.slice(0, 8)}`));
    assert.equal(await card.locator(".card-dir code").textContent(), daemon.projectDir);
    assert.equal(await index.evaluate(() => window.notReloaded), true);
  });

  test("its thumbnail loads in the grid, and the activity reads as relative time", async () => {
    const card = index.locator(`li.card[data-key="${sandboxId}"]`);
    const thumbnail = card.locator("img[data-live]");
    await thumbnail.waitFor({ timeout: 20000 });
    assert.match(await thumbnail.getAttribute("src"), new RegExp(`^/api/sandboxes/${sandboxId}/screenshot\\?size=thumb&v=[0-9a-f]+$`));
    await waitFor(async () => (await imageInfo(thumbnail)).loaded, { what: "the thumbnail to load" });
    assert.match(await card.locator("time.activity").textContent(), /^(active \d+s ago|idle \d+[smhd])$/);
    await index.screenshot({ path: join(artifactsDir, "index.png") });
  });

  test("invalid input comes back on the form with the field's error, values kept", async () => {
    const page = await browser.context.newPage();
    await page.goto(daemon.url + "/new");
    await page.getByLabel("Name").fill("keep me");
    await page.locator("#backend-stub").check();
    await page.getByLabel("Project directory").fill("/nonexistent/project");
    await page.getByLabel("Allow network access").uncheck();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/new") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Create" }).click(),
    ]);
    assert.equal(response.status(), 422);
    await page.locator("#project_dir-error").waitFor();
    assert.match(await page.locator("#project_dir-error").textContent(), /nonexistent/);
    assert.equal(await page.getByLabel("Project directory").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByLabel("Name").inputValue(), "keep me");
    assert.equal(await page.getByLabel("Project directory").inputValue(), "/nonexistent/project");
    assert.ok(await page.locator("#backend-stub").isChecked());
    assert.equal(await page.getByLabel("Allow network access").isChecked(), false);
    await page.close();
  });

  test("a form post without the session's token is refused", async () => {
    const body = new URLSearchParams({ name: "forged", backend: "stub", project_dir: daemon.projectDir, network: "true" });
    const response = await fetch(daemon.url + "/new", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /This form has expired/);
    assert.equal((await daemon.api("GET", "/api/sandboxes")).json.some((s) => s.name === "forged"), false);
  });

  test("the detail page shows the info table, the live screen and the terminal in colour", async () => {
    const page = await browser.context.newPage();
    const pageProblems = watchPage(page, daemon.url);
    await page.goto(`${daemon.url}/sandboxes/${sandboxId}`);
    const info = page.locator(".info-table").first();
    const sandbox = (await daemon.api("GET", `/api/sandboxes/${sandboxId}`)).json;
    assert.match(await info.textContent(), new RegExp(sandboxId));
    assert.match(await info.textContent(), /stub-xvfb/);
    assert.match(await info.textContent(), new RegExp(`:${sandbox.display_num}`));
    assert.equal(await page.locator("#attach-command").textContent(), `tmux attach -t ${sandbox.tmux_session}`);
    assert.ok(await page.getByRole("button", { name: "Copy" }).isVisible());

    await waitFor(async () => (await page.locator("#terminal-state").textContent()) === "connected", {
      what: "the terminal to connect",
    });
    await waitFor(async () => (await terminalText(page)).includes("green stub line"), {
      what: "the stub's output in the terminal",
    });
    // The stub prints "\e[1;32mgreen stub line\e[0m \e[31mred\e[0m".
    assert.deepEqual(await terminalStyleAt(page, "green stub line red"), { palette: true, colour: 2, bold: true });
    assert.deepEqual(await terminalStyleAt(page, "green stub line red", "green stub line ".length), {
      palette: true,
      colour: 1,
      bold: false,
    });
    // Rendered, not only parsed: a coloured span with the text.
    // (xterm.js draws only while the terminal is on screen.)
    await page.locator("#terminal").scrollIntoViewIfNeeded();
    await page.locator(".xterm-rows span[class*='xterm-fg-']", { hasText: "green" }).first().waitFor();

    await waitFor(async () => (await imageInfo(page.locator("#screenshot-frame img"))).loaded, {
      what: "the full-size screenshot",
    });
    await page.screenshot({ path: join(artifactsDir, "detail.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifactsDir, "detail-phone.png"), fullPage: true });
    await page.close();
    assert.deepEqual(pageProblems, []);
  });

  test("stop from the keyboard, then start, on the detail page", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${daemon.url}/sandboxes/${sandboxId}`);
    await waitFor(async () => (await occurrences(page, "green stub line")) === 1, { what: "the first run's output" });
    // Tab to the Stop button and press Enter: the page works without a mouse.
    for (let i = 0; i < 30; ++i) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement.id)) === "action-run") break;
    }
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Stop");
    await page.keyboard.press("Enter");
    await page.locator("#sandbox-summary .badge", { hasText: "stopped" }).waitFor();
    assert.equal((await daemon.api("GET", `/api/sandboxes/${sandboxId}`)).json.status, "stopped");
    assert.equal(await page.locator("#action-run").textContent(), "Start");
    assert.equal(await page.evaluate(() => document.activeElement.id), "action-run");

    await page.locator("#action-run").click();
    await page.locator("#sandbox-summary .badge", { hasText: "running" }).waitFor();
    assert.equal((await daemon.api("GET", `/api/sandboxes/${sandboxId}`)).json.status, "running");
    // The live terminal reconnects to the new run's tmux pane and shows its screen.
    await waitFor(
      async () => (await page.evaluate(() => window.csmLiveTerminalState.messages.filter((t) => t === "screen").length)) >= 2,
      { timeout: 30000, what: "the second run's screen" }
    );
    await waitFor(async () => (await occurrences(page, "green stub line")) === 1, { what: "the second run's output" });
    await page.close();
  });

  test("the terminal says it is reconnecting while the daemon restarts, then catches up", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${daemon.url}/sandboxes/${sandboxId}`);
    const state = page.locator("#terminal-state");
    await waitFor(async () => (await state.textContent()) === "connected", { what: "connected" });
    // The open index page sees the daemon go away too: its failed polls are expected.
    problems.daemonDown = true;
    try {
      await daemon.terminate();
      await waitFor(async () => (await state.getAttribute("data-state")) === "reconnecting", { what: "reconnecting" });
      assert.match(await state.textContent(), /^reconnecting in \d+ s…$/);
      await waitFor(() => index.locator("#offline-banner").isVisible(), { what: "the index's offline banner" });
      await daemon.restartOnSamePort();
      await waitFor(async () => (await state.textContent()) === "connected", { timeout: 40000, what: "reconnected" });
      await waitFor(async () => (await occurrences(page, "green stub line")) === 1, { what: "the same screen again" });
      await waitFor(async () => !(await index.locator("#offline-banner").isVisible()), { what: "the banner to go" });
    } finally {
      problems.daemonDown = false;
      await page.close();
    }
  });

  test("delete asks to confirm, then the sandbox is gone", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${daemon.url}/sandboxes/${sandboxId}`);
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.locator("#confirm-dialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Delete the sandbox first\?/);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    assert.equal((await daemon.api("GET", `/api/sandboxes/${sandboxId}`)).status, 200);

    await page.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(daemon.url + "/");
    assert.equal((await daemon.api("GET", `/api/sandboxes/${sandboxId}`)).status, 404);
    await index.locator(`li.card[data-key="${sandboxId}"]`).waitFor({ state: "detached", timeout: 15000 });
    await page.close();
  });

  test("a sandbox named like markup renders as text everywhere", async () => {
    const sandbox = await daemon.createSandbox(XssName, "stub");
    const card = index.locator(`li.card[data-key="${sandbox.id}"]`);
    await card.waitFor({ timeout: 15000 });
    assert.equal(await card.locator(".card-title").textContent(), XssName);
    assert.equal(await index.locator("img[src='x']").count(), 0);

    const page = await browser.context.newPage();
    const pageProblems = watchPage(page, daemon.url);
    await page.goto(`${daemon.url}/sandboxes/${sandbox.id}`);
    assert.equal(await page.locator("h1").textContent(), XssName);
    assert.equal(await page.title(), `${XssName} · Claude Sandbox Manager`);
    assert.equal(await page.locator("img[src='x']").count(), 0);
    await waitFor(async () => (await terminalText(page)).includes(`SANDBOX_NAME=[${XssName}]`), {
      what: "the name in the terminal, as text",
    });
    await page.close();
    assert.deepEqual(pageProblems, []);
  });

  test("phone width and dark mode", async () => {
    await index.setViewportSize({ width: 390, height: 844 });
    await index.emulateMedia({ colorScheme: "dark" });
    await index.screenshot({ path: join(artifactsDir, "index-phone-dark.png"), fullPage: true });
    const background = await index.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(15, 18, 22)");
    const overflow = await index.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, "the index scrolls sideways at phone width");
    await index.emulateMedia({ colorScheme: "light" });
    await index.setViewportSize({ width: 1280, height: 800 });
  });

  test("nothing went wrong on the index page all along", () => {
    assert.deepEqual(problems, []);
  });
});
