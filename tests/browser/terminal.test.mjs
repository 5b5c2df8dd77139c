// The live terminal in Debian's Chromium against the real daemon and real tmux: two
// watchers, take control, type, resize, release, reconnect after a daemon restart, the reply
// box answering the fake claude's prompt, and a cross-site page refused.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import { artifactsDir, launchChromium, watchPage } from "./lib/browser.mjs";
import { Daemon, waitFor } from "./lib/daemon.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fakeClaude = join(here, "..", "support", "fake-claude");

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

async function tmuxSize(daemon, id) {
  const sandbox = (await daemon.api("GET", `/api/sandboxes/${id}`)).json;
  const { spawnSync } = await import("node:child_process");
  const out = spawnSync("tmux", ["display-message", "-p", "-t", `=${sandbox.tmux_session}:`, "#{window_width}x#{window_height}"], {
    env: { ...process.env, TMUX_TMPDIR: daemon.tmuxDir },
  });
  return out.stdout.toString().trim();
}

describe("live terminal", () => {
  let daemon;
  let browser;
  let shellId;
  let claudeId;

  before(async () => {
    daemon = await Daemon.start({
      backends: {
        backends: {
          shell: { description: "bash", display: "none", command: ["bash", "--norc", "--noprofile", "-i"] },
          claude: { description: "fake claude", display: "none", command: [fakeClaude] },
        },
      },
    });
    browser = await launchChromium();
    shellId = (await daemon.createSandbox("shell", "shell")).id;
    claudeId = (await daemon.createSandbox("claude", "claude")).id;
  });

  after(async () => {
    if (browser) await browser.close();
    if (daemon) await daemon.stop();
  });

  test("the holder types, a second watcher sees it and cannot type; resize and release", async () => {
    const holder = await browser.context.newPage();
    const watcher = await browser.context.newPage();
    await watcher.setViewportSize({ width: 500, height: 600 });
    const holderProblems = watchPage(holder, daemon.url);
    const watcherProblems = watchPage(watcher, daemon.url);
    await holder.goto(`${daemon.url}/sandboxes/${shellId}`);
    await watcher.goto(`${daemon.url}/sandboxes/${shellId}`);
    for (const page of [holder, watcher]) {
      await waitFor(async () => (await page.locator("#terminal-state").textContent()) === "connected", { what: "connected" });
      assert.equal(await page.locator("#live-terminal-holder").textContent(), "View only");
    }
    const before = await tmuxSize(daemon, shellId);

    // View only: keys typed into the watcher's terminal go nowhere.
    await watcher.locator("#terminal").click();
    await watcher.keyboard.type("echo from-the-watcher\n");

    await holder.getByRole("button", { name: "Take control" }).click();
    await waitFor(async () => (await holder.locator("#live-terminal-holder").textContent()) === "You have control", { what: "control" });
    await waitFor(async () => /^Controlled by web 127\.0\.0\.1:\d+$/.test(await watcher.locator("#live-terminal-holder").textContent()), {
      what: "the watcher to see the holder",
    });
    assert.equal(await watcher.getByRole("button", { name: "Take over" }).isVisible(), true);

    // The holder's terminal fills its panel: tmux follows its size.
    await waitFor(async () => (await tmuxSize(daemon, shellId)) !== before, { what: "the window to follow the holder" });
    const holderSize = await tmuxSize(daemon, shellId);

    await holder.locator("#terminal").click();
    await holder.keyboard.type("echo typed-$((6*7))-here\n");
    await waitFor(async () => (await terminalText(watcher)).includes("typed-42-here"), { what: "the watcher to see the output" });
    assert.equal((await terminalText(watcher)).includes("from-the-watcher"), false);

    // A smaller watcher never shrinks the window.
    await watcher.setViewportSize({ width: 400, height: 500 });
    await watcher.waitForTimeout(500);
    assert.equal(await tmuxSize(daemon, shellId), holderSize);
    const cols = await watcher.evaluate(() => window.csmTerminal.cols);
    assert.equal(`${cols}`, holderSize.split("x")[0]);

    // The key bar: Ctrl+C through the holder's connection.
    await holder.keyboard.type("sleep 100");
    await holder.getByRole("button", { name: "Ctrl+C" }).click();
    await holder.keyboard.type("echo after-interrupt\n");
    await waitFor(async () => (await terminalText(watcher)).includes("after-interrupt"), { what: "Ctrl+C from the key bar" });

    await holder.getByRole("button", { name: "Release" }).click();
    await waitFor(async () => (await watcher.locator("#live-terminal-holder").textContent()) === "View only", { what: "released" });
    await holder.screenshot({ path: join(artifactsDir, "terminal-holder.png"), fullPage: true });
    await watcher.screenshot({ path: join(artifactsDir, "terminal-watcher.png"), fullPage: true });

    // Closing the holder's tab gives control back.
    await holder.getByRole("button", { name: "Take control" }).click();
    await waitFor(async () => (await watcher.locator("#live-terminal-holder").textContent()) !== "View only", { what: "taken" });
    await holder.close();
    await waitFor(async () => (await watcher.locator("#live-terminal-holder").textContent()) === "View only", { what: "the tab's close to release" });

    const audit = (await daemon.api("GET", `/api/sandboxes/${shellId}/input-audit`)).json;
    assert.ok(audit.some((entry) => entry.first_line === "echo typed-$((6*7))-here<Enter>" && entry.actor.client === "web"));
    await watcher.close();
    assert.deepEqual(holderProblems, []);
    assert.deepEqual(watcherProblems, []);
  });

  test("the reply box answers the fake claude's prompt, on the detail page and on a card", async () => {
    const page = await browser.context.newPage();
    const problems = watchPage(page, daemon.url);
    await page.goto(`${daemon.url}/sandboxes/${claudeId}`);
    await waitFor(async () => (await terminalText(page)).includes("Do you want to proceed?"), { what: "the prompt" });
    await page.locator(".terminal-reply").getByRole("button", { name: "1", exact: true }).click();
    await waitFor(async () => (await terminalText(page)).includes("permission granted: yes"), { what: "the choice" });
    await page.locator(".terminal-reply input[name=reply]").fill("use the other API");
    await page.locator(".terminal-reply").getByRole("button", { name: "Send" }).click();
    await waitFor(async () => (await terminalText(page)).includes("reply received: [use the other API]"), { what: "the reply" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifactsDir, "terminal-phone.png"), fullPage: true });

    const index = await browser.context.newPage();
    await index.goto(`${daemon.url}/`);
    await index.locator(`li.card[data-key="${claudeId}"]`).getByRole("button", { name: "Reply to claude" }).click();
    const dialog = index.locator("dialog.reply-dialog");
    await dialog.locator("input[name=reply]").fill("from the card");
    await dialog.getByRole("button", { name: "Send" }).click();
    await waitFor(async () => (await terminalText(page)).includes("reply received: [from the card]"), { what: "the card's reply" });
    await index.close();
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("the terminal reconnects after a daemon restart, with the same screen", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${daemon.url}/sandboxes/${shellId}`);
    const state = page.locator("#terminal-state");
    await waitFor(async () => (await state.textContent()) === "connected", { what: "connected" });
    await daemon.api("POST", `/api/sandboxes/${shellId}/input`, { text: "echo before-restart-$((1+2))" });
    await waitFor(async () => (await terminalText(page)).includes("before-restart-3"), { what: "output" });
    await daemon.terminate();
    await waitFor(async () => (await state.getAttribute("data-state")) === "reconnecting", { what: "reconnecting" });
    assert.equal(await page.locator("#live-terminal-banner").isVisible(), true);
    await daemon.restartOnSamePort();
    await waitFor(async () => (await state.textContent()) === "connected", { timeout: 40000, what: "reconnected" });
    assert.equal(await page.locator("#live-terminal-banner").isVisible(), false);
    assert.ok((await terminalText(page)).includes("before-restart-3"));
    await page.close();
  });

  test("input from a cross-site page is refused", async () => {
    // A page on another origin tries the two ways in: a fetch and a WebSocket.
    const evil = createServer((request, response) => {
      response.setHeader("Content-Type", "text/html");
      response.end(`<!DOCTYPE html><script>
        window.results = {};
        fetch("${daemon.url}/api/sandboxes/${shellId}/input", { method: "POST", mode: "no-cors",
          headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ text: "echo pwned-by-fetch" }) })
          .then(() => { window.results.fetch = "sent"; }, () => { window.results.fetch = "failed"; });
        const socket = new WebSocket("${daemon.url.replace("http:", "ws:")}/ws/sandboxes/${shellId}/terminal");
        socket.onopen = () => { window.results.ws = "open"; socket.send(JSON.stringify({ type: "take" }));
          socket.send(JSON.stringify({ type: "input", text: "echo pwned-by-ws" })); };
        socket.onclose = () => { window.results.wsClosed = true; };
      </script>`);
    });
    await new Promise((resolve) => evil.listen(0, "127.0.0.2", resolve));
    const page = await browser.context.newPage();
    try {
      await page.goto(`http://127.0.0.2:${evil.address().port}/`);
      await waitFor(async () => page.evaluate(() => window.results && window.results.fetch && window.results.wsClosed), {
        what: "both attempts to end",
      });
      assert.notEqual(await page.evaluate(() => window.results.ws), "open");
      await page.waitForTimeout(500);
      const screen = (await daemon.api("GET", `/api/sandboxes/${shellId}/screen`)).text;
      assert.equal(screen.includes("pwned"), false);
    } finally {
      await page.close();
      evil.close();
    }
  });
});
