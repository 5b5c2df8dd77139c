// The dashboard's behaviour. Loaded with `defer` after htmx; no inline scripts or handlers
// anywhere (the pages run under Content-Security-Policy script-src 'self').
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Polled fragments. htmx polls each container; the browser revalidates the fragment with
  // its ETag, so an unchanged one is a 304 and arrives here as the same text as before: it is
  // not swapped at all. A changed sandbox list is merged card by card (unchanged cards and
  // their thumbnails stay untouched), and a changed image is swapped in only once loaded.

  const snapshots = new WeakMap(); // polled container -> its last server HTML, normalised
  const cardHtml = new WeakMap(); // card element -> its server HTML, normalised
  const swappedCards = new Map(); // sandbox id -> server HTML of a card htmx is swapping in

  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template;
  }

  function normalise(html) {
    return parse(html).innerHTML.trim();
  }

  function isPolled(element) {
    return (element.getAttribute("hx-trigger") || "").startsWith("every");
  }

  function snapshot(container) {
    snapshots.set(container, container.innerHTML.trim());
    container.querySelectorAll("[data-keyed] > [data-key]").forEach(function (card) {
      cardHtml.set(card, card.outerHTML);
    });
  }

  // Shows `next` in place of `current` once it has loaded, so the old frame stays on screen
  // meanwhile instead of a blank box.
  function swapWhenLoaded(current, next) {
    // Parsed in an inert <template>: adopted here, it starts loading.
    if (next.ownerDocument !== document) next = document.adoptNode(next);
    next.loading = "eager";
    const replace = function () {
      if (current.isConnected) current.replaceWith(next);
    };
    if (typeof next.decode === "function") next.decode().then(replace, replace);
    else next.addEventListener("load", replace, { once: true });
  }

  function keepImage(oldRoot, newRoot) {
    const oldImage = oldRoot.querySelector("img[data-live]");
    const newImage = newRoot.querySelector("img[data-live]");
    // An image not shown yet (never loaded) is simply replaced.
    if (!oldImage || !newImage || !oldImage.complete) return;
    const unchanged = oldImage.getAttribute("src") === newImage.getAttribute("src");
    newImage.replaceWith(oldImage);
    if (!unchanged) swapWhenLoaded(oldImage, newImage);
  }

  // Merges a new sandbox grid into the shown one by data-key; false when it cannot.
  function mergeKeyed(container, fresh) {
    const oldGrid = container.querySelector("[data-keyed]");
    const newGrid = fresh.content.querySelector("[data-keyed]");
    if (!oldGrid || !newGrid || oldGrid.id !== newGrid.id) return false;
    const oldCards = new Map();
    Array.from(oldGrid.children).forEach(function (card) {
      oldCards.set(card.dataset.key, card);
    });
    const wanted = [];
    Array.from(newGrid.children).forEach(function (next) {
      const html = next.outerHTML;
      const old = oldCards.get(next.dataset.key);
      oldCards.delete(next.dataset.key);
      if (old && cardHtml.get(old) === html) {
        wanted.push(old);
        return;
      }
      cardHtml.set(next, html);
      if (old) keepImage(old, next);
      formatActivity(next);
      const focusedId = old && old.contains(document.activeElement) ? document.activeElement.id : "";
      if (old) old.replaceWith(next);
      if (focusedId) {
        const again = document.getElementById(focusedId);
        if (again) again.focus({ preventScroll: true });
      }
      wanted.push(next);
    });
    oldCards.forEach(function (card) {
      card.remove();
    });
    wanted.forEach(function (card, index) {
      if (oldGrid.children[index] !== card) oldGrid.insertBefore(card, oldGrid.children[index] || null);
    });
    wanted.forEach(function (card) {
      if (window.htmx) window.htmx.process(card);
    });
    return true;
  }

  function mergeImage(container, fresh) {
    const oldImage = container.querySelector("img[data-live]");
    const newImage = fresh.content.querySelector("img[data-live]");
    if (!oldImage || !newImage) return false;
    if (oldImage.getAttribute("src") !== newImage.getAttribute("src")) {
      const link = oldImage.closest("a");
      const newLink = newImage.closest("a");
      if (link && newLink) link.href = newLink.getAttribute("href");
      swapWhenLoaded(oldImage, newImage);
    }
    return true;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    if (!isPolled(target)) return;
    const html = normalise(event.detail.serverResponse || "");
    if (event.detail.elt !== target) {
      // An action answered with this container's new content: take it as the latest.
      snapshots.set(target, html);
      return;
    }
    if (snapshots.get(target) === html) {
      event.detail.shouldSwap = false;
      return;
    }
    // A button inside is still waiting for its answer (the demo being created): swapping it
    // out now would lose that answer. The next poll brings the change.
    if (target.querySelector(".htmx-request")) {
      event.detail.shouldSwap = false;
      return;
    }
    snapshots.set(target, html);
    const merge = target.dataset.merge;
    if (!merge || event.detail.isError) return;
    const fresh = parse(html);
    if ((merge === "keyed" && mergeKeyed(target, fresh)) || (merge === "image" && mergeImage(target, fresh))) {
      event.detail.shouldSwap = false;
      return;
    }
    // htmx swaps the whole grid in (the first card, or the last one gone): note each card's
    // server HTML for the next merge.
    fresh.content.querySelectorAll("[data-keyed] > [data-key]").forEach(function (card) {
      swappedCards.set(card.dataset.key, card.outerHTML);
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    target.querySelectorAll("[data-keyed] > [data-key]").forEach(function (card) {
      if (!cardHtml.has(card) && swappedCards.has(card.dataset.key)) cardHtml.set(card, swappedCards.get(card.dataset.key));
    });
    swappedCards.clear();
    formatActivity(target);
    if (target.id === "system-metrics") sparklines.update();
  });

  // An action's button is replaced by its answer (Stop becomes Start): keep the keyboard
  // focus on the button of the same id, as it is disabled while the request runs.
  let refocusId = "";
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt === document.activeElement && elt.id && !isPolled(elt)) refocusId = elt.id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!refocusId) return;
    const again = document.getElementById(refocusId);
    const lost = !document.activeElement || document.activeElement === document.body;
    // Still the old, disabled button (another fragment settled first): try at the next one.
    if (!again || again.disabled || !lost) return;
    refocusId = "";
    again.focus({ preventScroll: true });
  });

  // Not while the tab is hidden: a page left open all day costs nothing in the background.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && isPolled(event.detail.elt)) event.preventDefault();
  });

  const banner = document.getElementById("offline-banner");
  document.addEventListener("htmx:sendError", function () {
    if (banner) banner.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (banner && event.detail.xhr && event.detail.xhr.status > 0) banner.hidden = true;
  });

  // ---------------------------------------------------------------------------------------
  // "active 5s ago" / "idle 3m" from the last terminal output. The server sends the absolute
  // time, so its HTML does not change from one poll to the next.

  const ActiveSeconds = 60;

  function duration(seconds) {
    if (seconds < 60) return seconds + "s";
    if (seconds < 3600) return Math.floor(seconds / 60) + "m";
    if (seconds < 86400) return Math.floor(seconds / 3600) + "h";
    return Math.floor(seconds / 86400) + "d";
  }

  function formatActivity(root) {
    if (!root || !root.querySelectorAll) return;
    const now = Date.now();
    root.querySelectorAll("time[data-activity]").forEach(function (time) {
      const at = Date.parse(time.getAttribute("datetime"));
      if (isNaN(at)) return;
      const seconds = Math.max(0, Math.round((now - at) / 1000));
      const active = seconds < ActiveSeconds;
      time.textContent = active ? "active " + duration(seconds) + " ago" : "idle " + duration(seconds);
      time.dataset.state = active ? "active" : "idle";
      time.title = "last output " + new Date(at).toLocaleString();
    });
  }

  // ---------------------------------------------------------------------------------------
  // Sparklines of the last 10 minutes (uPlot), fed once from the history endpoint and then
  // from the data attributes of each new system-metrics fragment.

  const HistoryPoints = 120;

  const sparklines = (function () {
    const box = document.getElementById("sparklines");
    const data = { t: [], cpu: [], mem: [], rx: [], tx: [] };
    const charts = [];
    let lastTs = 0;

    function push(ts, cpu, mem, rx, tx) {
      if (!(ts > lastTs)) return false;
      lastTs = ts;
      data.t.push(ts / 1000);
      data.cpu.push(cpu);
      data.mem.push(mem);
      data.rx.push(rx);
      data.tx.push(tx);
      Object.keys(data).forEach(function (key) {
        while (data[key].length > HistoryPoints) data[key].shift();
      });
      return true;
    }

    function colour(name) {
      return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
    }

    function seriesOf(kind) {
      if (kind === "net")
        return [
          [data.t, data.rx, data.tx],
          [
            {},
            { stroke: colour("--accent"), width: 1.5, label: "received", points: { show: false } },
            { stroke: colour("--green"), width: 1.5, label: "sent", points: { show: false } },
          ],
        ];
      return [
        [data.t, data[kind]],
        [{}, { stroke: colour(kind === "cpu" ? "--accent" : "--yellow"), width: 1.5, points: { show: false } }],
      ];
    }

    function build() {
      charts.splice(0).forEach(function (chart) {
        chart.destroy();
      });
      box.querySelectorAll(".spark-plot").forEach(function (plot) {
        const kind = plot.dataset.series;
        const [values, series] = seriesOf(kind);
        const options = {
          width: Math.max(120, plot.clientWidth),
          height: 56,
          legend: { show: false },
          cursor: { show: false },
          select: { show: false },
          axes: [{ show: false }, { show: false }],
          scales: kind === "net" ? { x: { time: true } } : { x: { time: true }, y: { range: [0, 100] } },
          series: series,
        };
        const chart = new window.uPlot(options, values, plot);
        chart.kind = kind;
        plot.setAttribute("role", "img");
        charts.push(chart);
      });
      label();
    }

    function label() {
      charts.forEach(function (chart) {
        const plot = chart.root.parentElement;
        const unit = plot.dataset.unit;
        const series = chart.kind === "net" ? data.rx : data[chart.kind];
        const last = series.length ? series[series.length - 1] : 0;
        plot.setAttribute("aria-label", chart.kind + " now " + Math.round(last) + " " + unit);
      });
    }

    function redraw() {
      charts.forEach(function (chart) {
        chart.setData(seriesOf(chart.kind)[0]);
      });
      label();
    }

    function readFragment() {
      const metrics = document.querySelector("#system-metrics .metrics");
      if (!metrics) return false;
      const d = metrics.dataset;
      return push(Number(d.ts), Number(d.cpu), Number(d.mem), Number(d.rx), Number(d.tx));
    }

    function start() {
      if (!box || !window.uPlot) return;
      fetch(box.dataset.history, { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .catch(function () {
          return [];
        })
        .then(function (history) {
          let previous = null;
          history.forEach(function (sample) {
            let rx = 0;
            let tx = 0;
            if (previous) {
              const seconds = (sample.timestamp - previous.timestamp) / 1000;
              if (seconds > 0) {
                rx = Math.max(0, (sample.net_rx_bytes - previous.net_rx_bytes) / seconds);
                tx = Math.max(0, (sample.net_tx_bytes - previous.net_tx_bytes) / seconds);
              }
            }
            const mem = sample.memory_total ? (100 * sample.memory_used) / sample.memory_total : 0;
            push(sample.timestamp, sample.cpu_usage, mem, rx, tx);
            previous = sample;
          });
          readFragment();
          build();
        });
      let resizeTimer = 0;
      window.addEventListener("resize", function () {
        clearTimeout(resizeTimer);
        resizeTimer = setTimeout(function () {
          charts.forEach(function (chart) {
            chart.setSize({ width: Math.max(120, chart.root.parentElement.clientWidth), height: 56 });
          });
        }, 150);
      });
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", build);
    }

    return {
      start: start,
      update: function () {
        if (readFragment()) redraw();
      },
    };
  })();

  // ---------------------------------------------------------------------------------------
  // The copy button of the tmux command, and the confirm dialog of hx-confirm.

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = source.textContent;
    const done = function (ok) {
      const label = button.textContent;
      button.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(function () {
        button.textContent = label;
      }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          done(true);
        },
        function () {
          done(false);
        }
      );
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    done(ok);
  });

  document.addEventListener("htmx:confirm", function (event) {
    const question = event.detail.question;
    const dialog = document.getElementById("confirm-dialog");
    if (!question || !dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    document.getElementById("confirm-text").textContent = question;
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      function () {
        if (dialog.returnValue === "ok") event.detail.issueRequest(true);
      },
      { once: true }
    );
    dialog.showModal();
  });

  // ---------------------------------------------------------------------------------------

  function init() {
    // Record the server's HTML before anything below changes it.
    document.querySelectorAll("[hx-trigger^='every']").forEach(snapshot);
    formatActivity(document);
    setInterval(function () {
      formatActivity(document);
    }, 5000);
    sparklines.start();
    // The detail page's live terminal is terminal.js's.
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
