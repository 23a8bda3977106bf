// Follows a running execution: polls the log JSON with ?after=<seq> and appends lines (no reload);
// when a chunk finishes or the run ends, re-reads this page and swaps in its summary, chunk
// and per-entity sections (the server renders them, escaped, as on a reload).
"use strict";

(function () {
  const list = document.getElementById("log");
  if (!list) return;
  const url = list.getAttribute("data-url");
  let after = Number(list.getAttribute("data-after") || "-1");
  let active = list.getAttribute("data-active") === "true";
  let chunks = Number(list.getAttribute("data-chunks") || "0");
  let current = true;  // the sections show the latest chunks and stats
  const SECTIONS = ["exec-card", "chunks-card", "entities-card"];
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

  async function refreshSections() {
    const answer = await fetch(window.location.pathname, {credentials: "same-origin"});
    if (!answer.ok) return false;
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    for (const id of SECTIONS) {
      const fresh = page.getElementById(id);
      const shown = document.getElementById(id);
      if (fresh && shown) shown.replaceWith(document.importNode(fresh, true));
    }
    return true;
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
        if (body.chunks !== chunks || !active) {
          current = await refreshSections().catch(() => false);
          if (current) chunks = body.chunks;
        }
      }
    } catch (err) {
      // A network blip: keep following.
    }
    if (active || !current) {  // after the end, until the final sections arrived
      window.setTimeout(poll, 700);
    } else if (state) {
      state.textContent = "run ended";
      const cancel = document.getElementById("cancel-form");
      if (cancel) cancel.remove();
    }
  }

  if (active) window.setTimeout(poll, 300);
})();
