// The symptom check: the moment "yes" is chosen to a question whose "yes" alone is an
// emergency, the emergency advice appears under it (in a live region, so a screen reader says
// it), before Next is pressed. Without this script nothing is lost: Next gives the same advice.
// Its words are the page's (hidden under each such question), in the page's language.
(function () {
  "use strict";

  function reflect(input) {
    var question = input.closest("[data-emergency-question]");
    if (!question) { return; }
    var code = question.getAttribute("data-emergency-question");
    var advice = document.querySelector('[data-emergency-for="' + code + '"]');
    if (advice) { advice.hidden = !(input.checked && input.value === "yes"); }
  }

  document.addEventListener("change", function (event) {
    if (event.target.type === "radio") { reflect(event.target); }
  });
  // A page restored with its answers (the browser's Back) shows what they mean.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-emergency-question] input[type=radio]:checked").forEach(reflect);
  });
}());
