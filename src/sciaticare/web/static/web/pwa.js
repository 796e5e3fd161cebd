// The installable app (docs/offline.md): registers the service worker, then tells it whose
// pages these are, so that it drops a kept page belonging to someone else (or to nobody, once
// signed out), and which of this person's pages to keep for offline use (space-separated).
(function () {
  if (!("serviceWorker" in navigator) || !document.body.dataset.sw) return;
  var body = document.body;
  navigator.serviceWorker
    .register(body.dataset.sw, { scope: "/" })
    .then(function () {
      return navigator.serviceWorker.ready;
    })
    .then(function (registration) {
      registration.active.postMessage({
        type: "person",
        person: body.dataset.person || "",
        keep: (body.dataset.offlineKeep || "").split(" ").filter(Boolean),
      });
    })
    .catch(function () {
      // No worker (a private window, an old browser): the site works as a plain website.
    });
})();
