// "Turn on notifications on this device" (reminders page): asks the browser's permission,
// subscribes through the site's service worker with the site's public VAPID key, and sends the
// subscription to the server, which then sends reminders to this device. A static file: the
// site's CSP allows no inline script.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) return;
  var button = box.querySelector("button");
  var status = box.querySelector("[data-push-status]");

  function say(text) {
    status.textContent = text;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(box.dataset.unsupported);
    return;
  }
  button.hidden = false;

  // The key as the browser wants it: base64url text to bytes.
  function keyBytes(text) {
    var padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  async function subscribe() {
    var permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(box.dataset.denied);
      return;
    }
    var registration = await navigator.serviceWorker.register(box.dataset.sw, { scope: "/" });
    await navigator.serviceWorker.ready;
    var subscription =
      (await registration.pushManager.getSubscription()) ||
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.vapidKey),
      }));
    var json = subscription.toJSON();
    var form = new FormData();
    form.append("endpoint", json.endpoint);
    form.append("p256dh", (json.keys && json.keys.p256dh) || "");
    form.append("auth", (json.keys && json.keys.auth) || "");
    form.append("expiration_time", json.expirationTime == null ? "" : String(json.expirationTime));
    var token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    var response = await fetch(box.dataset.url, {
      method: "POST",
      body: form,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    if (response.status === 201) {
      say(box.dataset.done);
      window.location.reload();
      return;
    }
    var answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = {};
    }
    say(answer.detail || box.dataset.failed);
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    subscribe()
      .catch(function () {
        say(box.dataset.failed);
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
