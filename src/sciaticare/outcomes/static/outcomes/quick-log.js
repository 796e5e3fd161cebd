// Two taps: once back and leg pain are both chosen, the form saves itself. With the keyboard,
// arrow keys move through the numbers without saving (each arrow picks one on the way, WCAG
// 3.2.2): Enter or Space saves, and so does the Save button that Tab reaches.
(function () {
  document.querySelectorAll("form[data-quick-log]").forEach(function (form) {
    var arrowed = false;
    if (form.dataset.quickLog === "auto") form.classList.add("saves-itself");
    function ready() {
      return form.querySelector('input[name="back_pain"]:checked') &&
        form.querySelector('input[name="leg_pain"]:checked');
    }
    form.addEventListener("keydown", function (event) {
      arrowed = event.key.indexOf("Arrow") === 0;
      var onScale = event.target.matches('input[name="back_pain"], input[name="leg_pain"]');
      if (onScale && event.key === "Enter" && form.dataset.quickLog === "auto") {
        event.preventDefault();
        if (ready()) form.requestSubmit();
      }
    });
    form.addEventListener("pointerdown", function () { arrowed = false; });
    form.addEventListener("change", function (event) {
      if (!event.target.matches('input[name="back_pain"], input[name="leg_pain"]')) return;
      if (arrowed) { arrowed = false; return; }
      if (ready() && form.dataset.quickLog === "auto") form.requestSubmit();
    });
  });
})();
