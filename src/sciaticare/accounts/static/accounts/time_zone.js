// The sign-up form's hidden time zone, filled with this browser's own zone (an IANA name such
// as "Europe/London") so that the person's "today" is theirs from the first diary entry.
// Without this script the field stays empty and the site's zone is used; the account page
// changes it later.
(function () {
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
    if (!input.value) input.value = zone;
  });
})();
