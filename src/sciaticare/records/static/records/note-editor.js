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
