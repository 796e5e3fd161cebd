// The diary with no network (docs/offline.md). "Save today" puts the entry in this device's
// queue (IndexedDB) with an id made here, shows it as waiting, and sends it to
// PUT /api/v1/diary/entries/<id>: at once, on every load of this page and when the browser is
// back online. The server stores each id once, so sending again is safe. Without IndexedDB the
// form posts as a plain form. Its words are the page's ([data-diary-words], translated with it:
// docs/i18n.md): this file has none of its own.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-diary]");
  if (!form || !window.indexedDB || !window.fetch || !window.Intl) return;
  var person = document.body.dataset.person || "";
  var zone = form.dataset.zone || "UTC";
  var queueBox = document.querySelector("[data-sync-queue]");
  var queueList = queueBox.querySelector("ul");
  var status = document.querySelector("[data-sync-status]");
  var words = (document.querySelector("[data-diary-words]") || { dataset: {} }).dataset;
  var NO_ID = "00000000-0000-0000-0000-000000000000";
  var FLASH = "sciaticare-diary-said";
  var CLOCK = "sciaticare-clock-offset";
  var SAID = {
    created: words.created,
    updated: words.updated,
    already_stored: words.created,
    kept: words.kept,
  };
  // The page's words with their {names} filled in: "Back {back}, leg {leg} on {day}".
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  // --- The queue: one IndexedDB store, keyed by the entry's client id ----------------------
  function withStore(mode, work) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("sciaticare-diary", 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore("queue", { keyPath: "client_id" });
      };
      opening.onerror = function () {
        reject(opening.error);
      };
      opening.onsuccess = function () {
        var db = opening.result;
        var tx = db.transaction("queue", mode);
        var request = work(tx.objectStore("queue"));
        tx.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          db.close();
          reject(tx.error);
        };
      };
    });
  }
  function allEntries() {
    return withStore("readonly", function (store) {
      return store.getAll();
    });
  }
  function keep(entry) {
    return withStore("readwrite", function (store) {
      return store.put(entry);
    });
  }
  function drop(id) {
    return withStore("readwrite", function (store) {
      return store["delete"](id);
    });
  }

  // --- Dates and ids -----------------------------------------------------------------------
  function dayIn(tz, moment) {
    var parts = {};
    var format;
    try {
      format = new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
    } catch (error) {
      format = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "2-digit", day: "2-digit" });
    }
    format.formatToParts(moment).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }
  function dayWords(day) {
    return new Date(day + "T12:00:00Z").toLocaleDateString(words.locale || "en-GB", {
      weekday: "short", day: "numeric", month: "short", timeZone: "UTC",
    });
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // The server's clock, not the device's: a page fresh from the server says its time
  // (data-now), and the difference is kept for the pages the service worker serves offline
  // (marked data-kept). Entries are dated, and two devices' writes ordered, by it.
  var offset = 0;
  var rendered = Date.parse(form.dataset.now || "");
  try {
    if (form.dataset.kept === undefined && !isNaN(rendered)) {
      offset = rendered - Date.now();
      localStorage.setItem(CLOCK, String(offset));
    } else {
      offset = Number(localStorage.getItem(CLOCK)) || 0;
    }
  } catch (error) {
    offset = isNaN(rendered) || form.dataset.kept !== undefined ? 0 : rendered - Date.now();
  }
  function serverNow() {
    return new Date(Date.now() + offset);
  }

  // --- What the person sees ----------------------------------------------------------------
  function say(text) {
    status.textContent = text;
  }
  function row(entry) {
    var li = document.createElement("li");
    var what = fill(entry.note ? words.entryWithNote : words.entry, {
      back: entry.back_pain, leg: entry.leg_pain, day: dayWords(entry.date), note: entry.note,
    });
    li.appendChild(document.createTextNode(what + " "));
    var state = document.createElement("strong");
    state.textContent = entry.state === "refused"
      ? fill(words.refused, { reason: entry.message })
      : words.waiting;
    li.appendChild(state);
    if (entry.state === "refused") {
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = words.remove;
      remove.addEventListener("click", function () {
        drop(entry.client_id).then(show);
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
    }
    return li;
  }
  function mine(entries) {
    return entries.filter(function (entry) { return entry.person === person; });
  }
  function show() {
    return allEntries().then(function (entries) {
      var own = mine(entries);
      queueList.replaceChildren.apply(queueList, own.map(row));
      queueBox.hidden = own.length === 0;
      return own;
    });
  }

  // --- Sending -----------------------------------------------------------------------------
  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function refusal(body) {
    var errors = (body && body.errors) || [];
    var named = errors.map(function (e) { return e.field + " " + e.message; }).join("; ");
    return (body && body.detail ? body.detail : words.refusedUnsaid) + (named ? " (" + named + ")" : "");
  }
  // Sends each waiting entry in turn; stops at the first that cannot reach the server.
  function sendAll(entries) {
    var answers = [];
    var blocked = "";
    var chain = Promise.resolve();
    entries.forEach(function (entry) {
      chain = chain.then(function () {
        if (blocked || entry.state !== "waiting") return;
        return fetch(form.dataset.syncUrl.replace(NO_ID, entry.client_id), {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({
            date: entry.date, made_at: entry.made_at, back_pain: entry.back_pain,
            leg_pain: entry.leg_pain, note: entry.note, tags: entry.tags,
          }),
        }).then(function (response) {
          if (response.ok) {
            return response.json().then(function (body) {
              answers.push(body.result);
              return drop(entry.client_id);
            });
          }
          if (response.status === 409 || response.status === 422) {
            return response.json().then(function (body) {
              entry.state = "refused";
              entry.message = refusal(body);
              return keep(entry);
            });
          }
          blocked = response.status === 401 || response.status === 403 ? words.signIn : words.later;
        }, function () {
          blocked = words.offline;
        });
      });
    });
    return chain.then(function () {
      return { answers: answers, blocked: blocked };
    });
  }
  var sending = null;
  var again = false; // asked again while sending (back online mid-way): one more round after
  function sync() {
    if (sending) {
      again = true;
      return sending;
    }
    sending = show()
      .then(sendAll)
      .then(function (outcome) {
        if (outcome.answers.length) {
          // The page is redrawn from the server with what it now keeps.
          sessionStorage.setItem(FLASH, SAID[outcome.answers[outcome.answers.length - 1]] || SAID.created);
          window.location.reload();
          return;
        }
        if (outcome.blocked) say(outcome.blocked);
        return show();
      })
      .catch(function () {})
      .then(function () {
        sending = null;
        if (again) {
          again = false;
          return sync();
        }
      });
    return sending;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var now = serverNow();
    var entry = {
      client_id: newId(),
      person: person,
      date: dayIn(zone, now),
      made_at: now.toISOString(),
      back_pain: Number(data.get("back_pain")),
      leg_pain: Number(data.get("leg_pain")),
      note: String(data.get("note") || "").trim(),
      tags: data.getAll("tags").map(String),
      state: "waiting",
      message: "",
    };
    keep(entry).then(sync, function () {
      form.submit(); // no queue on this device (storage refused): the plain form
    });
  });
  window.addEventListener("online", sync);

  // On load: what was said before the reload; a page kept from another day; then send.
  var said = sessionStorage.getItem(FLASH);
  if (said) {
    sessionStorage.removeItem(FLASH);
    say(said);
  }
  if (form.dataset.day && form.dataset.day !== dayIn(zone, serverNow())) {
    // A copy kept on an earlier day (opened offline): its choices were that day's.
    form.reset();
    form.querySelectorAll("input[type=radio]:checked, input[type=checkbox]:checked").forEach(function (input) {
      input.checked = false;
    });
    var note = form.querySelector("input[name=note], textarea[name=note]");
    if (note) note.value = "";
    say(fill(words.oldPage, { day: dayWords(form.dataset.day) }));
  }
  // Entries another person queued on this device are never sent as this person's.
  allEntries()
    .then(function (entries) {
      if (!person) return;
      return Promise.all(entries.filter(function (e) { return e.person !== person; }).map(function (e) {
        return drop(e.client_id);
      }));
    })
    .then(sync, function () {});
})();
