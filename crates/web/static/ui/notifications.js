// Inbox: new notifications appear without a reload. On a notification event the list
// region refetches its fragment (`data-notification-list`); a burst makes one request.
// After the list changes through a form (mark read), the bell's count follows.
(function () {
  "use strict";
  var timer = null;
  function region() { return document.getElementById("notification-list"); }

  document.addEventListener("sentinel:live", function (event) {
    var data = event.detail || {};
    var list = region();
    if (!list || !window.SentinelUI) return;
    if (data.topic !== "notification" && data.kind !== "resync") return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      window.SentinelUI.refresh(list.getAttribute("data-notification-list"), list);
    }, 300);
  });

  document.addEventListener("sentinel:swapped", function (event) {
    if (!window.SentinelUI || !event.detail || event.detail.target !== region()) return;
    window.SentinelUI.refresh("/ui/notifications/badge", document.getElementById("bell-count"));
  });
})();
