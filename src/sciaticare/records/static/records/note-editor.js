// The note editor's autosave (htmx) shows why a save was refused - signed or changed in
// another tab (409), a field too long (422) - in the status line, and never replaces the
// editor: what was typed stays in the form. htmx swaps no 4xx response by default.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const target = event.detail.target;
  if ((status === 409 || status === 422) && target && target.id === "save-status") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// Its words are the page's (the form's data-no-connection, translated with it: docs/i18n.md).
document.addEventListener("htmx:sendError", () => {
  const line = document.getElementById("save-status");
  const form = document.querySelector("form.note-form");
  if (line && form) {
    line.textContent = form.dataset.noConnection;
    line.classList.add("danger-box");
    line.setAttribute("role", "alert");
  }
});
// htmx sends nothing while a field breaks its own bounds (minutes below 0, a score above 10):
// say so, mark the field, and keep saying so until it is put right - "Changes save
// automatically" stayed on the line while nothing was saved (found by an outside test).
document.addEventListener("htmx:validation:halted", (event) => {
  const line = document.getElementById("save-status");
  const form = document.querySelector("form.note-form");
  if (!line || !form || event.target !== form) {
    return;
  }
  const problems = event.detail.errors.map(({ elt, message }) => {
    elt.setAttribute("aria-invalid", "true");
    const label = elt.labels && elt.labels[0] ? elt.labels[0].textContent.trim() : elt.name;
    return `${label}: ${message}`;
  });
  line.textContent = `${form.dataset.notSaved} ${problems.join("; ")}`;
  line.classList.add("danger-box");
  line.setAttribute("role", "alert");
});
document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("form.note-form [aria-invalid]")) {
    if (event.target.checkValidity()) {
      event.target.removeAttribute("aria-invalid");
    }
  }
});
// "Sign…" and "Save draft" send the whole form. Leaving a field for the button sets off an
// autosave (its change), which may still be on its way: wait for it, so the form goes with the
// version that save made, not one the server refuses as stale (409) and the sign page never
// opens.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form.note-form") || !form.classList.contains("htmx-request")) {
    return;
  }
  event.preventDefault();
  const button = event.submitter;
  form.addEventListener("htmx:afterRequest", () => form.requestSubmit(button), { once: true });
});
