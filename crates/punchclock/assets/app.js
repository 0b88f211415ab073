// Punchclock: small progressive enhancements. Every page works without it.
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (e.g. delete).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Slow actions (test connection, sync): show that something is going on.
    var busy = form.getAttribute("data-busy");
    if (busy) {
      var button = form.querySelector("button[type=submit], button:not([type])");
      if (button) {
        button.classList.add("busy");
        button.setAttribute("aria-busy", "true");
        button.textContent = busy;
        // Disable after the submit has been dispatched, so the form still posts.
        setTimeout(function () { button.disabled = true; }, 0);
      }
    }
  });

  // "Tick everyone on this page": a header checkbox for the rows' boxes.
  document.addEventListener("change", function (e) {
    var all = e.target;
    if (!all.matches || !all.matches("input[data-select-all]") || !all.form) return;
    var boxes = all.form.querySelectorAll('input[type=checkbox][name="ids"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
  });

  // A time zone field marked data-guess-tz starts at the browser's zone,
  // unless the server already has one chosen (after a failed submit). An
  // old name the browser may report (Asia/Calcutta) is saved as its
  // current one by the server.
  var tzField = document.querySelector("input[data-guess-tz]");
  if (tzField && !tzField.hasAttribute("data-chosen")) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) { tzField.value = zone; }
    } catch (e) { /* keep the server default */ }
  }

  // The dashboard: fetch its panels again every few seconds and swap them
  // in place (the server renders them, chart included). Skipped while the
  // tab is hidden or while focus is inside, so a keyboard user is not moved.
  var panels = document.querySelector("[data-live-panels]");
  if (panels && window.fetch) {
    var panelsUrl = panels.getAttribute("data-live-panels");
    var panelsEvery = parseInt(panels.getAttribute("data-live-every") || "20000", 10);
    var refreshPanels = function () {
      if (document.hidden || panels.contains(document.activeElement)) {
        setTimeout(refreshPanels, panelsEvery);
        return;
      }
      refreshOnce().then(function () { setTimeout(refreshPanels, panelsEvery); });
    };
    var refreshOnce = function () {
      return fetch(panelsUrl, { credentials: "same-origin", headers: { "Accept": "text/html" }, cache: "no-store" })
        .then(function (response) {
          if (response.status === 401) {
            window.location.href = "/login?expired=1&next=" + encodeURIComponent(window.location.pathname);
            return null;
          }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && html !== undefined) {
            panels.innerHTML = html;
            panels.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () { /* try again next turn */ });
    };
    setTimeout(refreshPanels, panelsEvery);
    // Back on the tab: fetch at once rather than at the next turn.
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { refreshOnce(); }
    });
  }

  // Live device status: poll a small JSON document and update labels in place.
  var live = document.querySelector("[data-live-status]");
  if (!live || !window.fetch) { return; }
  var url = live.getAttribute("data-live-status");
  var every = parseInt(live.getAttribute("data-live-every") || "3000", 10);
  var statusClasses = ["status-online", "status-offline", "status-pending", "status-disabled"];

  function setText(selector, id, text) {
    var nodes = document.querySelectorAll(selector + '[data-device-id="' + id + '"]');
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].textContent !== text) { nodes[i].textContent = text; }
    }
  }

  function apply(device) {
    var labels = document.querySelectorAll('[data-testid="device-status"][data-device-id="' + device.id + '"]');
    for (var i = 0; i < labels.length; i++) {
      var label = labels[i];
      var wanted = "status-" + device.status;
      if (label.getAttribute("data-status") !== device.status || label.textContent !== device.label) {
        for (var c = 0; c < statusClasses.length; c++) { label.classList.remove(statusClasses[c]); }
        label.classList.add(wanted);
        label.textContent = device.label;
        label.setAttribute("data-status", device.status);
        label.classList.remove("changed");
        void label.offsetWidth; // restart the animation
        label.classList.add("changed");
      }
      label.title = device.detail || "";
    }
    setText('[data-field="last-seen"]', device.id, device.last_seen);
    setText('[data-field="serial"]', device.id, device.serial);
    setText('[data-field="punches"]', device.id, device.punches);
    setText('[data-field="last-error"]', device.id, device.last_error || "");
  }

  var timer = null;
  function tick() {
    if (document.hidden) { schedule(); return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          // The session ended: go and log in again, then come back here.
          window.location.href = "/login?expired=1&next=" + encodeURIComponent(window.location.pathname + window.location.search);
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.devices) { body.devices.forEach(apply); }
        schedule();
      })
      .catch(function () { schedule(); });
  }
  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(tick, every);
  }
  schedule();
})();
