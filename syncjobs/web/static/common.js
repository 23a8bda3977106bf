// Shared helpers: the CSRF header for fetch, and confirmation of destructive forms.
"use strict";

window.syncjobs = {
  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  },
  async getJSON(url) {
    const answer = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    const body = await answer.json().catch(() => ({}));
    return {ok: answer.ok, status: answer.status, body};
  },
  async postJSON(url) {
    const answer = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {Accept: "application/json", "X-CSRF-Token": window.syncjobs.csrf()},
    });
    const body = await answer.json().catch(() => ({}));
    return {ok: answer.ok, status: answer.status, body};
  },
};

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
