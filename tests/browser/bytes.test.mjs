// A measurement: what an index page left open costs per minute with 10 sandboxes whose
// screens do not change. The thumbnails must cost only 304s or nothing. Runs for one real
// minute (the one deliberate wait of the suite); prints the figures and saves them as
// $CSM_ARTIFACTS_DIR/browser/bytes-per-minute.json.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { artifactsDir, launchChromium, watchPage } from "./lib/browser.mjs";
import { Daemon, waitFor } from "./lib/daemon.mjs";

const Sandboxes = 10;
const WindowMs = 60000;

function category(url) {
  const { pathname, search } = new URL(url);
  if (pathname.endsWith("/screenshot") && search.includes("size=thumb")) return "thumbnails";
  if (pathname.startsWith("/fragments/")) return pathname;
  if (pathname.startsWith("/static/")) return "static";
  return pathname;
}

describe("an index page open for a minute, 10 sandboxes, unchanged screens", () => {
  let daemon;
  let browser;

  before(async () => {
    daemon = await Daemon.start();
    browser = await launchChromium();
    const ids = [];
    for (let i = 0; i < Sandboxes; ++i) ids.push((await daemon.createSandbox(`static-${i}`, "stub-xvfb")).id);
    // Every screen captured once before the page opens.
    await waitFor(
      async () => {
        const answers = await Promise.all(ids.map((id) => fetch(`${daemon.url}/api/sandboxes/${id}/screenshot?size=thumb`)));
        await Promise.all(answers.map((answer) => answer.arrayBuffer()));
        return answers.every((answer) => answer.status === 200);
      },
      { timeout: 30000, interval: 500, what: "a frame of every sandbox" }
    );
  });

  after(async () => {
    if (browser) await browser.close();
    if (daemon) {
      await writeFile(join(artifactsDir, "bytes-daemon.log"), daemon.log);
      await daemon.stop();
    }
  });

  test("thumbnails cost only 304s or nothing", async () => {
    const page = await browser.context.newPage();
    const problems = watchPage(page, daemon.url);
    await page.goto(daemon.url + "/");
    const thumbnails = page.locator("img[data-live]");
    await waitFor(async () => (await thumbnails.count()) === Sandboxes, { what: "10 thumbnails" });
    await waitFor(
      () => thumbnails.evaluateAll((images) => images.every((image) => image.complete && image.naturalWidth > 0)),
      { what: "every thumbnail to load" }
    );
    // Steady state: the list has been polled once since the page loaded.
    await page.waitForResponse((response) => response.url().endsWith("/fragments/sandbox-list"), { timeout: 15000 });

    const cdp = await browser.context.newCDPSession(page);
    // CDP's events about one request may come in any order: kept apart, joined at the end.
    const requests = new Map();
    const wireStatus = new Map();
    const sent = new Map();
    const entry = (id) => {
      if (!requests.has(id)) requests.set(id, { url: "", status: 0, received: 0, cached: false, finished: false });
      return requests.get(id);
    };
    cdp.on("Network.requestWillBeSent", (event) => {
      entry(event.requestId).url = event.request.url;
    });
    cdp.on("Network.requestWillBeSentExtraInfo", (event) => {
      const headers = Object.entries(event.headers || {});
      // The header lines, plus the request line, roughly.
      sent.set(event.requestId, headers.reduce((sum, [name, value]) => sum + name.length + String(value).length + 4, 64));
    });
    cdp.on("Network.requestServedFromCache", (event) => {
      entry(event.requestId).cached = true;
    });
    // The status on the wire: a revalidated response is a 304 there, and a 200 (from the
    // cache) in responseReceived.
    cdp.on("Network.responseReceivedExtraInfo", (event) => {
      wireStatus.set(event.requestId, event.statusCode);
    });
    cdp.on("Network.responseReceived", (event) => {
      entry(event.requestId).status = event.response.status;
    });
    cdp.on("Network.loadingFinished", (event) => {
      entry(event.requestId).received = event.encodedDataLength;
      entry(event.requestId).finished = true;
    });
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });

    await new Promise((resolve) => setTimeout(resolve, WindowMs)); // the measurement window

    await cdp.send("Network.disable");
    const summary = {};
    for (const [id, request] of requests) {
      if (!request.url) continue; // began before the window
      const key = category(request.url);
      const item = (summary[key] ??= { requests: 0, bytes_received: 0, bytes_sent_approx: 0, statuses: {} });
      item.requests += 1;
      item.bytes_received += request.received;
      item.bytes_sent_approx += sent.get(id) || 0;
      // A request still running when the window closed counts as "pending".
      const status = !request.finished
        ? "pending"
        : wireStatus.has(id)
          ? String(wireStatus.get(id))
          : request.cached
            ? "cache"
            : String(request.status);
      item.statuses[status] = (item.statuses[status] || 0) + 1;
    }
    const total = Object.values(summary).reduce(
      (sum, entry) => ({
        requests: sum.requests + entry.requests,
        bytes_received: sum.bytes_received + entry.bytes_received,
        bytes_sent_approx: sum.bytes_sent_approx + entry.bytes_sent_approx,
      }),
      { requests: 0, bytes_received: 0, bytes_sent_approx: 0 }
    );
    const figures = { sandboxes: Sandboxes, window_seconds: WindowMs / 1000, total, by_url: summary };
    await writeFile(join(artifactsDir, "bytes-per-minute.json"), JSON.stringify(figures, null, 2) + "\n");
    console.log(`bytes per minute of an open index page with ${Sandboxes} static sandboxes:`);
    for (const [key, entry] of Object.entries(summary))
      console.log(
        `  ${key.padEnd(28)} ${String(entry.requests).padStart(4)} requests ${String(entry.bytes_received).padStart(8)} B received  statuses ${JSON.stringify(entry.statuses)}`
      );
    console.log(`  ${"total".padEnd(28)} ${String(total.requests).padStart(4)} requests ${String(total.bytes_received).padStart(8)} B received, ~${total.bytes_sent_approx} B sent`);

    const thumbnailStatuses = Object.keys(summary.thumbnails?.statuses || {});
    assert.ok(
      thumbnailStatuses.every((status) => ["304", "cache", "pending"].includes(status)),
      `thumbnails answered with ${JSON.stringify(summary.thumbnails?.statuses)}`
    );
    // The list was polled all along, and unchanged it was a 304 every time.
    const list = summary["/fragments/sandbox-list"];
    assert.ok(list && list.requests >= 10, `the list was polled ${list?.requests ?? 0} times`);
    assert.deepEqual(Object.keys(list.statuses).filter((status) => status !== "pending"), ["304"]);
    assert.equal(await thumbnails.count(), Sandboxes);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
