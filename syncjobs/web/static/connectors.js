// Source/destination forms: a config template per type, and the connection-check buttons.
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

  if (type && config && type.tagName === "SELECT") {
    let last = templateOf(type.value);
    if (!config.value.trim()) config.value = last;
    type.addEventListener("change", () => {
      // Replace the text only while it is still an untouched template.
      const untouched = !config.value.trim() || config.value === last;
      last = templateOf(type.value);
      if (untouched) config.value = last;
      showType();
    });
    showType();
  }

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
