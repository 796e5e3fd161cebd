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
document.addEventListener("htmx:sendError", () => {
  const line = document.getElementById("save-status");
  if (line) {
    line.textContent = "Not saved: no connection. Your text is still here; it saves when you type again.";
    line.classList.add("danger-box");
    line.setAttribute("role", "alert");
  }
});
