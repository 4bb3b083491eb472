// Keeps staff pages current by polling small JSON endpoints every few seconds (no reload, no
// server-sent events, so webhook workers never hold connections for open pages). Each element
// with data-poll-url gets {key, regions: {id: html}, announce}; regions are swapped when their
// HTML changes and the announcement is read out when the key (what changed, ignoring the clock) does.
(function () {
  "use strict";
  var announcer = document.getElementById("live-status");
  var baseTitle = document.title;
  var signedOut = false;

  function announce(text) {
    if (!announcer || !text) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  }

  // a keyboard user's place survives a swap: refocus the element with the same data-key or id
  function focusedKey(region) {
    var el = document.activeElement;
    if (!el || el === document.body || !region.contains(el)) { return null; }
    if (el.getAttribute("data-key")) { return "[data-key=\"" + el.getAttribute("data-key") + "\"]"; }
    return el.id ? "#" + el.id : null;
  }

  function swap(id, html, last) {
    var region = document.getElementById(id);
    if (!region || last[id] === html) { return; }
    var selector = focusedKey(region);
    region.innerHTML = html;
    last[id] = html;
    if (selector) {
      var again = region.querySelector(selector);
      if (again) { again.focus(); }
    }
  }

  function showSignedOut() {
    signedOut = true;
    var note = document.getElementById("signed-out");
    if (note) { note.hidden = false; }
  }

  function watch(root) {
    var url = root.getAttribute("data-poll-url");
    var every = Math.min(parseInt(root.getAttribute("data-poll-ms"), 10) || 4000, 5000);
    var last = {};

    function tick() {
      if (signedOut) { return; }
      var key = root.getAttribute("data-poll-key") || "";
      var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "key=" + encodeURIComponent(key);
      fetch(address, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (response.status === 401) { showSignedOut(); return null; }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) { return; }
          Object.keys(data.regions || {}).forEach(function (id) { swap(id, data.regions[id], last); });
          if (data.key !== key) {
            root.setAttribute("data-poll-key", data.key);
            announce(data.announce);
            if (typeof data.count === "number") {
              document.title = (data.count ? "(" + data.count + " urgent) " : "") + baseTitle;
            }
            root.dispatchEvent(new CustomEvent("live:update", {detail: data}));
          }
        })
        .catch(function () { /* a moment offline: the next tick tries again */ })
        .then(function () { if (!signedOut) { window.setTimeout(tick, every); } });
    }
    window.setTimeout(tick, every);
  }

  // on a conversation page, say so when someone else takes, releases or closes it
  function watchHolder(root) {
    root.addEventListener("live:update", function (event) {
      var detail = event.detail;
      if (!("holder_id" in detail)) { return; }
      var holder = detail.holder_id === null ? "" : String(detail.holder_id);
      if (holder !== root.getAttribute("data-holder") || detail.status !== root.getAttribute("data-status")) {
        var note = document.getElementById("changed-hands");
        if (note) { note.hidden = false; }
      }
    });
  }

  document.querySelectorAll("[data-poll-url]").forEach(function (root) {
    if (root.hasAttribute("data-holder")) { watchHolder(root); }
    watch(root);
  });
}());
