// Source/destination forms: a config template per type, an input per simple field bound to the
// JSON config (the JSON is what is posted), and the connection-check buttons.
"use strict";

(function () {
  const type = document.getElementById("type");
  const config = document.getElementById("config");
  const panels = document.querySelectorAll(".fields[data-type]");

  function templateOf(name) {
    for (const panel of panels) {
      if (panel.getAttribute("data-type") === name) return panel.getAttribute("data-template");
    }
    return "";
  }

  function showType() {
    for (const panel of panels) panel.hidden = panel.getAttribute("data-type") !== type.value;
  }

  const invalid = document.getElementById("config-invalid");

  function currentType() {
    return type ? type.value : "";
  }

  // The JSON object in the textarea, or null while it does not parse as one.
  function readConfig() {
    try {
      const value = JSON.parse(config.value.trim() || "{}");
      return value && typeof value === "object" && !Array.isArray(value) ? value : null;
    } catch (err) {
      return null;
    }
  }

  function inputsOfType() {
    for (const panel of panels) {
      if (panel.getAttribute("data-type") === currentType()) {
        return panel.querySelectorAll("input.field[data-field]");
      }
    }
    return [];
  }

  // JSON -> inputs: each input shows its field's value (empty when absent or not scalar).
  function fillInputs() {
    const cfg = readConfig();
    if (invalid) invalid.hidden = cfg !== null;
    for (const input of inputsOfType()) {
      input.disabled = cfg === null;
      if (cfg === null || input === document.activeElement) continue;
      const value = cfg[input.getAttribute("data-field")];
      if (input.type === "checkbox") {
        input.checked = value === true;
      } else {
        input.value = value === undefined || value === null || typeof value === "object"
          ? "" : String(value);
      }
    }
  }

  // Input -> JSON: set (or, when emptied, remove) the field, keeping every other key.
  function storeInput(input) {
    const cfg = readConfig();
    if (cfg === null) return;
    const name = input.getAttribute("data-field");
    if (input.type === "checkbox") {
      cfg[name] = input.checked;
    } else if (input.value === "") {
      delete cfg[name];
    } else if (input.type === "number") {
      const number = Number(input.value);
      if (Number.isNaN(number)) return;
      cfg[name] = number;
    } else {
      cfg[name] = input.value;
    }
    config.value = JSON.stringify(cfg, null, 2);
  }

  if (config) {
    config.addEventListener("input", fillInputs);
    for (const panel of panels) {
      panel.addEventListener("input", (event) => {
        if (event.target.matches("input.field")) storeInput(event.target);
      });
      panel.addEventListener("change", (event) => {
        if (event.target.matches("input.field")) storeInput(event.target);
      });
    }
  }

  if (type && config && type.tagName === "SELECT") {
    let last = templateOf(type.value);
    if (!config.value.trim()) config.value = last;
    type.addEventListener("change", () => {
      // Replace the text only while it is still an untouched template.
      const untouched = !config.value.trim() || config.value === last;
      last = templateOf(type.value);
      if (untouched) config.value = last;
      showType();
      fillInputs();
    });
    showType();
  }
  if (config) fillInputs();

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.check");
    if (!button) return;
    const target = document.getElementById(button.getAttribute("data-target"));
    button.disabled = true;
    if (target) { target.className = "check-result"; target.textContent = "checking…"; }
    try {
      const {ok, body} = await window.syncjobs.postJSON(button.getAttribute("data-url"));
      const good = ok && body.ok;
      if (target) {
        target.className = "check-result " + (good ? "good" : "bad");
        target.textContent = (good ? "✔ " : "✖ ") + (body.message || body.detail || "failed") +
          (body.code ? " (" + body.code + ")" : "");
      }
    } catch (err) {
      if (target) { target.className = "check-result bad"; target.textContent = "✖ request failed"; }
    } finally {
      button.disabled = false;
    }
  });
})();
