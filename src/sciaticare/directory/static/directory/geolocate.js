// "Use my location" on the therapist search: fills the hidden lat/lon fields from the
// browser's geolocation and submits the form. Shown only where the browser can do it.
// Listeners sit on the document, so they keep working after htmx swaps the form. Its words
// are the page's, in the page's language (data-finding, data-found, data-unavailable).
(function () {
  "use strict";
  if (!("geolocation" in navigator)) { return; }

  function reveal() {
    document.querySelectorAll("[data-geolocate]").forEach(function (row) { row.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:load", reveal);

  // Typing a place replaces a location found earlier.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.name !== "place" || !input.form) { return; }
    input.form.querySelector("input[name=lat]").value = "";
    input.form.querySelector("input[name=lon]").value = "";
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-geolocate-button]");
    if (!button) { return; }
    var form = button.closest("form");
    var status = form.querySelector("[data-geolocate-status]");
    status.textContent = status.dataset.finding;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name=lat]").value = position.coords.latitude.toFixed(5);
      form.querySelector("input[name=lon]").value = position.coords.longitude.toFixed(5);
      form.querySelector("input[name=place]").value = "";
      status.textContent = status.dataset.found;
      form.requestSubmit();
    }, function () {
      status.textContent = status.dataset.unavailable;
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
}());
