// The live terminal of the detail page (the sandbox's tmux pane through
// /ws/sandboxes/<id>/terminal), its "Take control" / "Release", the phone key bar, and the
// reply box of the detail page and of the cards (POST /api/sandboxes/<id>/input).
// Loaded with `defer`; no inline scripts (Content-Security-Policy script-src 'self').
(function () {
  "use strict";

  const FontFamily = '"DejaVu Sans Mono", ui-monospace, Menlo, Consolas, "Liberation Mono", monospace';
  const FirstDelay = 1000;
  const MaxDelay = 10000;

  // Bytes a terminal sends for the key bar's keys; arrows follow the application cursor mode.
  function keyBytes(name, applicationCursor) {
    const arrows = { Up: "A", Down: "B", Right: "C", Left: "D" };
    if (arrows[name]) return (applicationCursor ? "\x1bO" : "\x1b[") + arrows[name];
    return { Esc: "\x1b", Tab: "\t", "Shift+Tab": "\x1b[Z", "Ctrl+C": "\x03", Enter: "\r" }[name] || "";
  }

  // ---- input without control: the reply box and prompt buttons -------------------------

  function postInput(id, body) {
    return fetch("/api/sandboxes/" + encodeURIComponent(id) + "/input", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSM-Client": "web" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          return { status: response.status, json: json };
        });
    });
  }

  // Sends, asking before typing over someone who holds control.
  function sendInput(id, body, status) {
    const say = function (text, kind) {
      if (!status) return;
      status.textContent = text;
      status.dataset.kind = kind || "";
    };
    say("sending…", "busy");
    return postInput(id, body).then(
      function (result) {
        if (result.status === 409 && result.json.code === "held") {
          const holder = result.json.holder && result.json.holder.actor ? result.json.holder.actor.description : "someone";
          if (window.confirm(holder + " holds control of this terminal. Send anyway?")) {
            return sendInput(id, Object.assign({}, body, { force: true }), status);
          }
          say("not sent: " + holder + " holds control", "error");
          return false;
        }
        if (result.status !== 200) {
          say("not sent: " + (result.json.error || "HTTP " + result.status), "error");
          return false;
        }
        say("sent", "ok");
        return true;
      },
      function () {
        say("not sent: the daemon cannot be reached", "error");
        return false;
      }
    );
  }

  // A reply form: a line of text (bracketed paste, then Enter) and the prompt buttons.
  function bindReplyForm(form, id) {
    const field = form.querySelector("[name=reply]");
    const status = form.querySelector(".reply-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!field.value) return;
      sendInput(id, { text: field.value, enter: true }, status).then(function (sent) {
        if (sent) field.value = "";
      });
    });
    form.querySelectorAll("[data-key]").forEach(function (button) {
      button.addEventListener("click", function () {
        sendInput(id, { keys: [button.dataset.key] }, status);
      });
    });
  }

  function replyForm(id, label) {
    const form = document.createElement("form");
    form.className = "reply-box";
    form.setAttribute("aria-label", "Reply to " + label);
    const input = document.createElement("input");
    input.type = "text";
    input.name = "reply";
    input.autocomplete = "off";
    input.placeholder = "Reply to the agent…";
    input.setAttribute("aria-label", "Reply");
    const send = document.createElement("button");
    send.type = "submit";
    send.className = "btn btn-primary";
    send.textContent = "Send";
    const row = document.createElement("div");
    row.className = "reply-row";
    row.append(input, send);
    const keys = document.createElement("div");
    keys.className = "reply-keys";
    keys.setAttribute("role", "group");
    keys.setAttribute("aria-label", "Answer a prompt");
    [
      ["1", "1"],
      ["2", "2"],
      ["3", "3"],
      ["Esc", "Esc"],
      ["Enter", "Enter"],
    ].forEach(function (pair) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small";
      button.dataset.key = pair[0];
      button.textContent = pair[1];
      button.title = pair[0] === "Esc" ? "Press Esc (cancel, or 'tell Claude what to do differently')" : "Press " + pair[0];
      keys.append(button);
    });
    const status = document.createElement("span");
    status.className = "reply-status";
    status.setAttribute("role", "status");
    form.append(row, keys, status);
    bindReplyForm(form, id);
    return form;
  }

  // The cards' "Reply" buttons open one dialog outside the polled list, so a card redrawn
  // every few seconds never loses what is being typed.
  function cardReplies() {
    let dialog = null;
    document.addEventListener("click", function (event) {
      const button = event.target.closest ? event.target.closest("[data-reply]") : null;
      if (!button) return;
      event.preventDefault();
      if (dialog) dialog.remove();
      dialog = document.createElement("dialog");
      dialog.className = "dialog reply-dialog";
      const title = document.createElement("h2");
      title.textContent = "Reply to " + (button.dataset.replyName || button.dataset.reply);
      const close = document.createElement("button");
      close.type = "button";
      close.className = "btn btn-small reply-close";
      close.textContent = "Close";
      close.addEventListener("click", function () {
        dialog.close();
      });
      dialog.append(title, replyForm(button.dataset.reply, button.dataset.replyName || ""), close);
      document.body.append(dialog);
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
      const field = dialog.querySelector("[name=reply]");
      if (field) field.focus();
    });
  }

  // ---- the live terminal ---------------------------------------------------------------

  function liveTerminal(element) {
    const id = element.dataset.sandboxId;
    const state = document.getElementById("terminal-state");
    const holderLabel = document.getElementById("live-terminal-holder");
    const takeButton = document.getElementById("live-terminal-take");
    const releaseButton = document.getElementById("live-terminal-release");
    const banner = document.getElementById("live-terminal-banner");
    const scroller = element.parentElement;
    const term = new window.Terminal({
      cols: 80,
      rows: 24,
      scrollback: 5000,
      disableStdin: true,
      cursorBlink: false,
      fontFamily: FontFamily,
      fontSize: 13,
      theme: { background: "#0b0d10", foreground: "#d6dbe1", cursor: "#d6dbe1" },
    });
    term.open(element);
    window.csmTerminal = term; // for the browser tests and for debugging

    let socket = null;
    let yours = false;
    let holder = null;
    let delay = FirstDelay;
    let retryTimer = 0;
    let size = { cols: 80, rows: 24 };
    const live = { socket: null, yours: false, holder: null, messages: [] };
    window.csmLiveTerminalState = live;

    function setState(name, text) {
      if (state) {
        state.dataset.state = name;
        state.textContent = text;
      }
      // The banner stays up from a lost connection until the next one is live.
      if (banner && name === "connected") {
        banner.hidden = true;
        banner.textContent = "";
      }
      if (banner && name === "reconnecting") banner.hidden = false;
    }

    function send(object) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(object));
    }

    // Watchers see the pane at tmux's size, as large as fits; the holder's terminal fills
    // the panel and tmux follows it.
    function cellSize() {
      const screen = element.querySelector(".xterm-screen");
      if (!screen || !term.cols || !term.rows) return null;
      return { width: screen.clientWidth / term.cols, height: screen.clientHeight / term.rows };
    }

    function fittingFont(cols) {
      const canvas = document.createElement("canvas").getContext("2d");
      canvas.font = "100px " + FontFamily;
      const perPixel = canvas.measureText("MMMMMMMMMM").width / 1000;
      const fitted = Math.floor((scroller.clientWidth - 16) / (cols * perPixel));
      return Math.max(9, Math.min(15, fitted || 13));
    }

    function fitToPanel() {
      if (!yours) return;
      const cell = cellSize();
      if (!cell || !cell.width || !cell.height) return;
      const cols = Math.max(20, Math.floor((scroller.clientWidth - 16) / cell.width));
      const rows = Math.max(8, Math.floor((scroller.clientHeight - 8) / cell.height));
      if (cols === size.cols && rows === size.rows) return;
      send({ type: "resize", cols: cols, rows: rows });
    }

    function applySize(cols, rows) {
      size = { cols: cols, rows: rows };
      if (!yours) term.options.fontSize = fittingFont(cols);
      term.resize(cols, rows);
    }

    function showControl() {
      const holderText = holder && holder.actor ? holder.actor.description : "";
      element.classList.toggle("is-interactive", yours);
      term.options.disableStdin = !yours;
      term.options.cursorBlink = yours;
      if (holderLabel) {
        holderLabel.textContent = yours ? "You have control" : holderText ? "Controlled by " + holderText : "View only";
      }
      if (takeButton) {
        takeButton.hidden = yours;
        takeButton.textContent = holderText && !yours ? "Take over" : "Take control";
      }
      if (releaseButton) releaseButton.hidden = !yours;
      document.querySelectorAll(".key-bar [data-bar-key]").forEach(function (button) {
        button.setAttribute("aria-disabled", yours ? "false" : "true");
      });
      live.yours = yours;
      live.holder = holder;
    }

    function onMessage(message) {
      live.messages.push(message.type);
      if (message.type === "control") {
        const was = yours;
        yours = !!message.yours;
        holder = message.holder;
        showControl();
        if (yours && !was) {
          term.focus();
          setTimeout(fitToPanel, 0);
        }
      } else if (message.type === "screen") {
        term.reset();
        applySize(message.cols, message.rows);
        term.write(message.data);
      } else if (message.type === "size") {
        applySize(message.cols, message.rows);
      } else if (message.type === "error") {
        if (state && message.code !== "not_running") {
          state.title = message.error;
        }
      }
    }

    function connect() {
      retryTimer = 0;
      setState("connecting", "connecting…");
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(scheme + "//" + location.host + "/ws/sandboxes/" + encodeURIComponent(id) + "/terminal?client=web");
      socket.binaryType = "arraybuffer";
      live.socket = socket;
      socket.addEventListener("open", function () {
        delay = FirstDelay;
        setState("connected", "connected");
      });
      socket.addEventListener("message", function (event) {
        if (typeof event.data === "string") {
          try {
            onMessage(JSON.parse(event.data));
          } catch (e) {
            /* not ours: ignored */
          }
        } else {
          term.write(new Uint8Array(event.data));
        }
      });
      socket.addEventListener("close", function (event) {
        socket = null;
        yours = false;
        holder = null;
        showControl();
        const wait = Math.round(delay * (0.8 + Math.random() * 0.4));
        const why = event.code === 4001 ? event.reason || "the sandbox is not running" : "lost contact with the daemon";
        setState("reconnecting", "reconnecting in " + Math.ceil(wait / 1000) + " s…");
        if (banner) banner.textContent = "Terminal: " + why + "; reconnecting…";
        retryTimer = setTimeout(connect, wait);
        delay = Math.min(delay * 2, MaxDelay);
      });
    }

    term.onData(function (data) {
      if (yours) send({ type: "data", data: data });
    });
    term.onBinary(function (data) {
      if (!yours || !socket) return;
      const bytes = new Uint8Array(data.length);
      for (let i = 0; i < data.length; ++i) bytes[i] = data.charCodeAt(i) & 255;
      socket.send(bytes);
    });
    // A paste goes through tmux's paste-buffer -p: bracketed exactly when the program asked.
    element.addEventListener(
      "paste",
      function (event) {
        if (!yours) return;
        const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
        event.preventDefault();
        event.stopPropagation();
        if (text) send({ type: "input", text: text, enter: false });
      },
      true
    );

    if (takeButton)
      takeButton.addEventListener("click", function () {
        send({ type: "take", force: !!holder });
      });
    if (releaseButton)
      releaseButton.addEventListener("click", function () {
        send({ type: "release" });
      });
    document.querySelectorAll(".key-bar [data-bar-key]").forEach(function (button) {
      button.addEventListener("click", function () {
        const name = button.dataset.barKey;
        if (yours) send({ type: "data", data: keyBytes(name, term.modes.applicationCursorKeysMode) });
        else sendInput(id, { keys: [name] }, document.querySelector(".panel-terminal .reply-status"));
        if (yours) term.focus();
      });
    });

    let resizeTimer = 0;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        if (yours) fitToPanel();
        else applySize(size.cols, size.rows);
      }, 150);
    });
    const reconnectNow = function () {
      if (!retryTimer) return;
      clearTimeout(retryTimer);
      connect();
    };
    window.addEventListener("online", reconnectNow);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) reconnectNow();
    });
    showControl();
    connect();
  }

  function init() {
    const element = document.getElementById("terminal");
    if (element && window.Terminal) liveTerminal(element);
    document.querySelectorAll("[data-reply-box]").forEach(function (slot) {
      slot.append(replyForm(slot.dataset.replyBox, slot.dataset.replyName || ""));
    });
    cardReplies();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
