// SentinelOps built-in UI: small progressive enhancements, no dependencies.
// Every page works without this file; it adds fetch-submitted forms, live updates,
// dialogs, the clock and countdowns. Page scripts hook in through `data-*` attributes
// and the `sentinel:live` DOM event.
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  // fetch with the CSRF token and the marker the server uses to answer with fragments.
  function uiFetch(url, options) {
    options = options || {};
    var headers = new Headers(options.headers || {});
    headers.set("X-Requested-With", "fetch");
    var method = (options.method || "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD" && csrf) headers.set("X-CSRF-Token", csrf);
    options.headers = headers;
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        // The session ended: the sign-in page brings the user back here.
        window.location.assign("/ui/login?next=" + encodeURIComponent(location.pathname + location.search));
      }
      return response;
    });
  }

  // Replaces an element's content with server HTML (rendered and escaped by askama).
  function swap(target, html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    target.replaceChildren(template.content);
    document.dispatchEvent(new CustomEvent("sentinel:swapped", { detail: { target: target } }));
  }

  function refresh(url, target) {
    if (!target) return Promise.resolve();
    return uiFetch(url).then(function (response) {
      if (response.ok) return response.text().then(function (html) { swap(target, html); });
    }).catch(function () { /* offline: keep what is shown */ });
  }

  function showFormError(form, message, isHtml) {
    var box = form.querySelector("[data-form-error]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-form-error", "");
      form.prepend(box);
    }
    box.setAttribute("role", "alert");
    if (isHtml) swap(box, message); else box.textContent = message;
    box.hidden = false;
    var invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  }

  // form[data-enhance]: submit with fetch; a 2xx swaps the answer into data-target
  // (or follows a redirect); an error shows the server's message inline.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-enhance")) return;
    event.preventDefault();
    var submitter = event.submitter;
    var body = new FormData(form, submitter);
    var method = (form.getAttribute("method") || "GET").toUpperCase();
    var url = form.getAttribute("action") || location.pathname;
    var options = { method: method };
    if (method === "GET") {
      url += (url.indexOf("?") >= 0 ? "&" : "?") + new URLSearchParams(body).toString();
    } else {
      options.body = new URLSearchParams(body);
    }
    form.setAttribute("aria-busy", "true");
    if (submitter) submitter.disabled = true;
    var box = form.querySelector("[data-form-error]");
    if (box) box.hidden = true;
    uiFetch(url, options).then(function (response) {
      return response.text().then(function (html) {
        if (response.ok && response.redirected && !form.hasAttribute("data-target")) {
          window.location.assign(response.url);
          return;
        }
        if (!response.ok) {
          showFormError(form, html, true);
          return;
        }
        var targetId = form.getAttribute("data-target");
        var target = targetId ? document.getElementById(targetId) : null;
        if (target) {
          var hadFocus = target.contains(document.activeElement);
          swap(target, html);
          // Keep keyboard users where they were: the swapped region, not the page top.
          if (hadFocus) {
            var first = target.querySelector("[autofocus], input, select, textarea, button, a[href]");
            if (first) first.focus(); else { target.setAttribute("tabindex", "-1"); target.focus(); }
          }
        }
        var dialog = form.closest("dialog");
        if (dialog && dialog.open) dialog.close();
      });
    }).catch(function () {
      showFormError(form, "The server could not be reached. Check the connection and try again.", false);
    }).finally(function () {
      form.removeAttribute("aria-busy");
      if (submitter) submitter.disabled = false;
    });
  });

  // button[data-open-dialog=ID] opens that <dialog>; [data-close-dialog] closes its own.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) {
      var own = closer.closest("dialog");
      if (own) { event.preventDefault(); own.close(); }
    }
  });

  // Live clock ([data-clock]) and countdowns ([data-deadline=ISO]).
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = new Date();
    document.querySelectorAll("[data-clock]").forEach(function (el) {
      el.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
      el.setAttribute("datetime", now.toISOString());
    });
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) return;
      var left = Math.round((deadline - now.getTime()) / 1000);
      var sign = left < 0 ? "-" : "";
      var s = Math.abs(left);
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      el.textContent = sign + (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(sec);
      el.classList.toggle("overdue", left < 0);
    });
  }

  // Live updates: one EventSource per page. The server names each event by its kind.
  var LIVE_KINDS = [
    "ITEM_UPDATED", "SUBITEM_UPDATED", "ITEM_DUE_STATE", "INSTANCE_CREATED", "INSTANCE_JOINED", "CHECKLIST_UPDATE",
    "PARTICIPANT_PRESENCE_CHANGED", "HANDOVER_CREATED", "new_notification", "notification_updated", "points_updated",
    "ALERT_OPENED", "ALERT_UPDATED", "resync"
  ];

  function checklistIdOf(data) {
    return data.instance_id || data.checklist_id || (data.instance && data.instance.id) || null;
  }

  var liveTimer = null;
  function refreshLiveChecklist(id) {
    // Several events in a burst make one refresh.
    clearTimeout(liveTimer);
    liveTimer = setTimeout(function () {
      refresh("/ui/checklists/" + encodeURIComponent(id) + "/live", document.querySelector("[data-live-region]") || document.getElementById("main"));
    }, 150);
  }

  var bannerTimer = null;
  function refreshAlertBanner() {
    var banner = document.getElementById("alert-banner");
    if (!banner) return;
    clearTimeout(bannerTimer);
    bannerTimer = setTimeout(function () { refresh("/ui/alerts/banner", banner); }, 200);
  }

  function onLive(kind, raw) {
    var data = {};
    try { data = raw ? JSON.parse(raw) : {}; } catch (e) { data = {}; }
    if (!data.kind) data.kind = kind;
    var main = document.getElementById("main");
    var liveId = main ? main.getAttribute("data-live-checklist") : null;
    if (data.topic === "notification" || kind === "resync") {
      refresh("/ui/notifications/badge", document.getElementById("bell-count"));
    }
    // A supervisor's alert banner follows alerts opening and being acknowledged.
    if (kind.indexOf("ALERT_") === 0 || kind === "resync") refreshAlertBanner();
    if (liveId && (kind === "resync" || checklistIdOf(data) === liveId)) refreshLiveChecklist(liveId);
    document.dispatchEvent(new CustomEvent("sentinel:live", { detail: data }));
  }

  var liveSource = null;

  function openLive() {
    if (!window.EventSource || !document.getElementById("bell-count")) return; // signed out
    if (liveSource) liveSource.close();
    var source = new EventSource("/api/v1/events");
    liveSource = source;
    LIVE_KINDS.forEach(function (kind) {
      source.addEventListener(kind, function (event) { onLive(kind, event.data); });
    });
    source.onmessage = function (event) { onLive("message", event.data); };
    // The session was revoked, expired or its user deactivated: sign in again.
    source.addEventListener("session_ended", function () {
      source.close();
      window.location.assign("/ui/login");
    });
    // EventSource reconnects by itself (sending Last-Event-ID, so missed events replay).
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    openLive();
  });
  // A page left for the back/forward cache keeps its EventSource open; after a few
  // pages the browser's six connections per host are all idle streams and the next
  // page never loads. Close the stream on leaving, reopen it on coming back.
  window.addEventListener("pagehide", function () {
    if (liveSource) liveSource.close();
    liveSource = null;
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) openLive();
  });

  // For page scripts: window.SentinelUI.fetch / .swap / .refresh.
  window.SentinelUI = { fetch: uiFetch, swap: swap, refresh: refresh };
})();
