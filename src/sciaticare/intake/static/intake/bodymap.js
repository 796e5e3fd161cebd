// Body map: clicking a region toggles its checkbox; the checkboxes stay the keyboard and
// screen-reader way to mark regions, and the map follows them.
(function () {
  function sync(form) {
    form.querySelectorAll('input[name="regions"]').forEach(function (box) {
      var shape = form.querySelector('.bodymap [data-region="' + box.value + '"]');
      if (shape) shape.classList.toggle("on", box.checked);
    });
  }
  document.querySelectorAll("form[data-bodymap]").forEach(function (form) {
    form.addEventListener("click", function (event) {
      var shape = event.target.closest && event.target.closest(".bodymap [data-region]");
      if (!shape) return;
      var box = form.querySelector('input[name="regions"][value="' + shape.dataset.region + '"]');
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    form.addEventListener("change", function () { sync(form); });
    sync(form);
  });
})();
