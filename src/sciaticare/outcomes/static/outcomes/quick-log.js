// Two taps: once back and leg pain are both chosen, the form saves itself.
(function () {
  document.querySelectorAll("form[data-quick-log]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (!event.target.matches('input[name="back_pain"], input[name="leg_pain"]')) return;
      var back = form.querySelector('input[name="back_pain"]:checked');
      var leg = form.querySelector('input[name="leg_pain"]:checked');
      if (back && leg && form.dataset.quickLog === "auto") form.requestSubmit();
    });
  });
})();
