// Exercise ticks with no network (docs/offline.md). A tick form (form[data-tick]) is sent by
// htmx, which swaps its row; when htmx cannot reach the server, the tick waits in this
// device's queue (IndexedDB) and is sent to POST /api/v1/exercise-plans/<plan>/log
// (data-sync-url) on every load of a page with ticks and when the browser is back online.
// The server keeps one tick per programme, exercise and day, so sending again is harmless, and
// the queue keeps one entry per person, programme, exercise and day: the last tap wins.
// Its words are the page's ([data-exercise-ticks], translated with it): this file has none.
(function () {
  "use strict";
  var words = document.querySelector("[data-exercise-ticks]");
  if (!words) return;
  var said = words.dataset;
  var person = document.body.dataset.person || "";
  var status = document.querySelector("[data-tick-status]");
  var CLOCK = "sciaticare-clock-offset"; // shared with the offline diary
  var FLASH = "sciaticare-ticks-said";

  // htmx swaps only 2xx answers: a refused tick (422) comes back as its row with the reason.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-tick]") && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A swapped row takes its old one's focus: the row's refusal, else what it now says (done
  // today, paused, the pause suggestion), else its name; so the next Tab goes on from there
  // rather than from the top of the page.
  var swapped = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    swapped = target && target.matches && target.matches("[data-tick-row]")
      ? target.getAttribute("data-tick-row") : null;
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!swapped) return;
    var row = document.querySelector('[data-tick-row="' + swapped + '"]');
    swapped = null;
    var active = document.activeElement;
    if (!row || (active && active !== document.body && active.isConnected)) return;
    var spot = row.querySelector("[data-tick-errors]") || row.querySelector("[data-row-focus]") ||
      row.querySelector("[data-row-name]") || row;
    if (!spot.hasAttribute("tabindex")) spot.setAttribute("tabindex", "-1");
    spot.focus();
  });

  // --- The queue: one IndexedDB store, keyed by person, programme, exercise and day ---------
  var usable = !!(window.indexedDB && window.fetch && window.Intl);
  function withStore(mode, work) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("sciaticare-exercises", 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore("ticks", { keyPath: "key" });
      };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result;
        var tx = db.transaction("ticks", mode);
        var request = work(tx.objectStore("ticks"));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function allTicks() {
    return withStore("readonly", function (store) { return store.getAll(); });
  }
  function keep(tick) {
    return withStore("readwrite", function (store) { return store.put(tick); });
  }
  function drop(key) {
    return withStore("readwrite", function (store) { return store["delete"](key); });
  }

  // --- The day: the server's clock in the person's zone, as the diary dates an entry --------
  var offset = 0;
  var rendered = Date.parse(said.now || "");
  try {
    if (said.kept === undefined && !isNaN(rendered)) {
      offset = rendered - Date.now();
      localStorage.setItem(CLOCK, String(offset));
    } else {
      offset = Number(localStorage.getItem(CLOCK)) || 0;
    }
  } catch (error) {
    offset = isNaN(rendered) || said.kept !== undefined ? 0 : rendered - Date.now();
  }
  function today() {
    var parts = {};
    var options = { year: "numeric", month: "2-digit", day: "2-digit" };
    var format;
    try {
      format = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: said.zone || "UTC" }, options));
    } catch (error) {
      format = new Intl.DateTimeFormat("en-GB", options);
    }
    format.formatToParts(new Date(Date.now() + offset)).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }
  function say(text) {
    if (status) status.textContent = text;
  }

  // --- What the person sees: a waiting or refused tick under its exercise -------------------
  function rowOf(tick) {
    return document.querySelector('[data-tick-row="' + tick.plan + "-" + tick.exercise + '"]');
  }
  function show() {
    return allTicks().then(function (ticks) {
      document.querySelectorAll("[data-tick-waiting]").forEach(function (line) {
        line.textContent = "";
        line.hidden = true;
      });
      var own = ticks.filter(function (tick) { return tick.person === person; });
      own.forEach(function (tick) {
        var row = rowOf(tick);
        var line = row && row.querySelector("[data-tick-waiting]");
        if (!line) return;
        line.hidden = false;
        line.textContent = tick.state === "refused" ? fill(said.refused, { reason: tick.message }) : said.waiting;
        if (tick.state === "refused") {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "secondary";
          remove.textContent = said.remove;
          remove.addEventListener("click", function () { drop(tick.key).then(show); });
          line.appendChild(document.createTextNode(" "));
          line.appendChild(remove);
        }
      });
      return own;
    });
  }

  // --- Queueing a tick htmx could not send ----------------------------------------------------
  function queue(form) {
    var data = new FormData(form);
    var match = /\/(\d+)\/tick\/?$/.exec(form.getAttribute("action") || "");
    if (!match) return Promise.reject(new Error("no programme"));
    var day = today();
    var tick = {
      key: [person, match[1], data.get("exercise"), day].join("|"),
      person: person,
      url: form.dataset.syncUrl,
      plan: match[1],
      exercise: String(data.get("exercise")),
      date: day,
      done: data.get("done") !== "no",
      leg_pain: String(data.get("leg_pain") || ""),
      spread_down_leg: data.get("spread_down_leg") === "on",
      state: "waiting",
      message: "",
    };
    if (!tick.done) {
      tick.leg_pain = "";
      tick.spread_down_leg = false;
    }
    return keep(tick).then(show).then(function () { say(said.offline); });
  }
  document.body.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (!usable || !form || !form.matches || !form.matches("form[data-tick]")) return;
    queue(form).catch(function () {
      form.submit(); // no queue on this device: the plain form, which the browser shows failing
    });
  });

  // --- Sending --------------------------------------------------------------------------------
  function csrfToken() {
    var field = document.querySelector("form[data-tick] input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function refusal(body) {
    var errors = (body && body.errors) || [];
    var named = errors.map(function (e) { return e.message; }).join("; ");
    return (body && body.detail ? body.detail : said.refusedUnsaid) + (named ? " (" + named + ")" : "");
  }
  function sendAll(ticks) {
    var sent = 0;
    var blocked = "";
    var chain = Promise.resolve();
    ticks.forEach(function (tick) {
      chain = chain.then(function () {
        if (blocked || tick.state !== "waiting") return;
        return fetch(tick.url, {
          method: "POST",
          credentials: "same-origin",
          redirect: "manual",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({
            exercise: Number(tick.exercise), date: tick.date, done: tick.done,
            leg_pain: tick.leg_pain || null, spread_down_leg: tick.spread_down_leg,
          }),
        }).then(function (response) {
          if (response.ok) {
            sent += 1;
            return drop(tick.key);
          }
          if (response.status === 404 || response.status === 409 || response.status === 422) {
            return response.json().then(function (body) {
              tick.state = "refused";
              tick.message = refusal(body);
              return keep(tick);
            });
          }
          blocked = response.status === 401 || response.status === 403 || response.type === "opaqueredirect"
            ? said.signIn : said.later;
        }, function () {
          blocked = said.offline;
        });
      });
    });
    return chain.then(function () { return { sent: sent, blocked: blocked }; });
  }
  var sending = null;
  var again = false;
  function sync() {
    if (!usable) return Promise.resolve();
    if (sending) {
      again = true;
      return sending;
    }
    sending = show()
      .then(sendAll)
      .then(function (outcome) {
        if (outcome.sent) {
          // The page is drawn again from the server: the ticks, and any pause it now suggests.
          sessionStorage.setItem(FLASH, said.sent);
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
  window.addEventListener("online", sync);
  // A row swapped in by htmx: show what still waits for it.
  document.body.addEventListener("htmx:afterSwap", function () { if (usable) show(); });

  var flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    say(flash);
  }
  if (!usable) return;
  // Ticks another person queued on this device are never sent as this person's.
  allTicks()
    .then(function (ticks) {
      if (!person) return;
      return Promise.all(ticks.filter(function (t) { return t.person !== person; }).map(function (t) {
        return drop(t.key);
      }));
    })
    .then(sync, function () {});
})();
