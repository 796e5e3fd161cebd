// Sciaticare's service worker (docs/offline.md): ours, small, no framework. Served from the
// site's root by web.views.service_worker, which writes CONFIG (the kept files' URLs, versioned
// in production) and VERSION (a digest of this text).
"use strict";
{% autoescape off %}const CONFIG = {{ config }};{% endautoescape %}
const VERSION = "__VERSION__";
const SHELL = "sciaticare-shell-" + VERSION; // the app shell and the public offline pages
const OWN = "sciaticare-own"; // the signed-in person's diary and exercise pages, nothing else
const PERSON_KEY = "/__sciaticare_person__"; // whose page OWN holds (a key, never fetched)
// A name with a content hash (site.3f2a9c1b4d5e.css) never changes: served from the cache.
const VERSIONED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      await cache.addAll(CONFIG.shell);
      // Without cookies: the copy kept is everyone's, with nobody's name or token in it.
      await cache.addAll(
        CONFIG.public_pages.map((url) => new Request(url, { credentials: "omit" })),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("sciaticare-shell-") && key !== SHELL) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "person") event.waitUntil(setPerson(String(data.person || ""), data.keep || []));
});

// Another person's page, or any once signed out, is never kept: the cache goes.
async function setPerson(person, keep) {
  const marker = await caches.match(PERSON_KEY, { cacheName: OWN });
  const previous = marker ? await marker.text() : null;
  if (previous !== person) {
    await caches.delete(OWN);
    if (!person) return;
    await (await caches.open(OWN)).put(PERSON_KEY, new Response(person));
  }
  for (const url of keep) {
    if (!CONFIG.own_pages.includes(url)) continue;
    if (await caches.match(url, { cacheName: OWN })) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (keepable(response)) await (await caches.open(OWN)).put(url, await markedKept(response));
    } catch (error) {
      // Offline: kept at the next visit.
    }
  }
}

// The copy kept says so (data-kept), so the diary's and the ticks' scripts know its time is
// not now.
async function markedKept(response) {
  const html = await response.text();
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  const kept = html
    .replace("data-offline-diary", "data-offline-diary data-kept")
    .replace("data-exercise-ticks", "data-exercise-ticks data-kept");
  return new Response(kept, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

function keepable(response) {
  return response && response.status === 200 && !response.redirected && response.type === "basic";
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(CONFIG.static_prefix)) {
    event.respondWith(VERSIONED.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  }
});

async function cacheFirst(request) {
  const kept = await caches.match(request, { cacheName: SHELL });
  if (kept) return kept;
  const response = await fetch(request);
  if (keepable(response)) await (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

// Files without a hash in their name (the demo's DEBUG mode): the network's copy while there
// is one, the kept one without.
async function networkFirst(request) {
  try {
    const response = await fetch(request);
    const path = new URL(request.url).pathname;
    if (keepable(response) && CONFIG.shell.includes(path)) {
      await (await caches.open(SHELL)).put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: SHELL });
    if (kept) return kept;
    throw error;
  }
}

// Pages: always the network's while there is one. Without, the person's own page (diary,
// exercises) as last seen, a public page kept at install, or the offline page.
async function page(request, url) {
  const own = CONFIG.own_pages.includes(url.pathname) && !url.search;
  try {
    const response = await fetch(request);
    if (own && keepable(response) && (await caches.has(OWN))) {
      await (await caches.open(OWN)).put(url.pathname, await markedKept(response.clone()));
    }
    return response;
  } catch (error) {
    const kept =
      (own && (await caches.match(url.pathname, { cacheName: OWN }))) ||
      (CONFIG.public_pages.includes(url.pathname) &&
        (await caches.match(url.pathname, { cacheName: SHELL }))) ||
      (await caches.match(CONFIG.offline_page, { cacheName: SHELL }));
    return kept || Response.error();
  }
}

// Reminders (docs/architecture.md, "Reminders"): a push message is a notification to show, with
// a title, a line of text and the page it is about; it never carries health data. A click
// opens that page on this site (or brings a tab already showing it to the front).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(String(data.title || "Sciaticare"), {
      body: String(data.body || ""),
      tag: data.tag ? String(data.tag) : undefined,
      icon: CONFIG.icon,
      data: { url: ownPage(data.url) },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (client.url === url && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(url);
    })(),
  );
});

// The page a notification opens: its path on this site, whatever host the server wrote.
function ownPage(url) {
  try {
    const parsed = new URL(String(url || "/"), self.location.origin);
    return self.location.origin + parsed.pathname + parsed.search;
  } catch (error) {
    return self.location.origin + "/";
  }
}
