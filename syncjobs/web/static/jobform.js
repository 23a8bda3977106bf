// Job form: entities from the source, cron presets, the browser's zone, live fire-time preview.
"use strict";

(function () {
  const form = document.getElementById("job-form");
  if (!form) return;
  const source = document.getElementById("source_id");
  const box = document.getElementById("entity-list");
  const fieldset = document.getElementById("entities");
  const preset = document.getElementById("preset");
  const cron = document.getElementById("cron");
  const zone = document.getElementById("timezone");
  const preview = document.getElementById("preview");
  const description = document.getElementById("preview-description");
  const problem = document.getElementById("preview-error");
  let selected = JSON.parse(fieldset.getAttribute("data-selected") || "[]");

  function note(text, cls) {
    const span = document.createElement("span");
    span.className = cls || "muted";
    span.textContent = text;
    box.replaceChildren(span);
  }

  async function loadEntities() {
    if (!source.value) { note("Choose a source."); return; }
    note("Loading the source's entities…");
    const url = fieldset.getAttribute("data-url-template").replace("{id}", encodeURIComponent(source.value));
    const {ok, body} = await window.syncjobs.getJSON(url);
    if (!ok) { note("Could not list entities: " + (body.message || "error"), "error-text"); return; }
    if (!body.length) { note("This source lists no entities."); return; }
    box.replaceChildren();
    for (const entity of body) {
      const label = document.createElement("label");
      label.className = "check-label";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "entities";
      input.value = entity.name;
      input.checked = selected.includes(entity.name);
      input.addEventListener("change", () => {
        selected = Array.from(box.querySelectorAll("input:checked")).map((i) => i.value);
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + entity.name));
      box.appendChild(label);
    }
  }

  function syncPreset() {
    const custom = preset.value === "custom";
    cron.readOnly = !custom;
    if (!custom) cron.value = preset.value;
    zone.disabled = !cron.value && !custom;
    schedulePreview();
  }

  let timer = 0;
  function schedulePreview() {
    window.clearTimeout(timer);
    timer = window.setTimeout(showPreview, 250);
  }

  async function showPreview() {
    preview.replaceChildren();
    problem.textContent = "";
    description.textContent = "";
    if (!cron.value.trim()) { description.textContent = "On demand only: no fire times."; return; }
    const query = new URLSearchParams({cron: cron.value, timezone: zone.value || "UTC"});
    const {ok, body} = await window.syncjobs.getJSON("/ui/schedule/preview?" + query.toString());
    if (!ok) { problem.textContent = body.message || "invalid schedule"; return; }
    description.textContent = body.description + " · " + body.timezone;
    for (const time of body.next) {
      const item = document.createElement("li");
      item.textContent = time.local + " · " + time.utc;
      preview.appendChild(item);
    }
  }

  if (zone.getAttribute("data-default-browser") === "true") {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  }
  source.addEventListener("change", () => { selected = []; loadEntities(); });
  preset.addEventListener("change", syncPreset);
  cron.addEventListener("input", () => {
    if (preset.value !== "custom") preset.value = "custom";
    cron.readOnly = false;
    schedulePreview();
  });
  zone.addEventListener("input", schedulePreview);
  loadEntities();
  syncPreset();
})();
