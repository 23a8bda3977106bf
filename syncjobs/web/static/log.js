// Follows a running execution: polls the log JSON with ?after=<seq> and appends lines (no reload).
"use strict";

(function () {
  const list = document.getElementById("log");
  if (!list) return;
  const url = list.getAttribute("data-url");
  let after = Number(list.getAttribute("data-after") || "-1");
  let active = list.getAttribute("data-active") === "true";
  const state = document.getElementById("log-state");
  const ICONS = {queued: "◷", running: "▶", completed: "✔", failed: "✖", cancelled: "⊘",
                 abandoned: "⚠", skipped: "↷"};

  function append(line) {
    const item = document.createElement("li");
    item.className = "log-" + line.level;
    item.setAttribute("data-seq", String(line.seq));
    for (const [cls, text] of [["ts", line.ts], ["level", line.level], ["msg", line.message]]) {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;  // log text is data: never parsed as HTML
      item.appendChild(span);
      item.appendChild(document.createTextNode(" "));
    }
    list.appendChild(item);
  }

  function showStatus(body) {
    const box = document.getElementById("exec-status");
    if (box && box.getAttribute("data-status") !== body.status) {
      box.setAttribute("data-status", body.status);
      const badge = document.createElement("span");
      badge.className = "status status-" + body.status;
      const icon = document.createElement("span");
      icon.className = "icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = ICONS[body.status] || "•";
      badge.appendChild(icon);
      badge.appendChild(document.createTextNode(" " + body.status));
      box.replaceChildren(badge);
    }
    const records = document.getElementById("exec-records");
    if (records) records.textContent = body.records.toLocaleString("en-US");
    const duration = document.getElementById("exec-duration");
    if (duration) duration.textContent = body.duration;
  }

  async function poll() {
    try {
      const {ok, body} = await window.syncjobs.getJSON(url + "?after=" + after);
      if (ok) {
        const follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
        body.items.forEach(append);
        after = body.next_after;
        if (follow) list.scrollTop = list.scrollHeight;
        showStatus(body);
        active = body.status === "queued" || body.status === "running";
      }
    } catch (err) {
      // A network blip: keep following.
    }
    if (active) {
      window.setTimeout(poll, 700);
    } else if (state) {
      state.textContent = "run ended; reload for the final chunks and stats";
      const cancel = document.getElementById("cancel-form");
      if (cancel) cancel.remove();
    }
  }

  if (active) window.setTimeout(poll, 300);
})();
