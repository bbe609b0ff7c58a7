// Dashboard: refetches the live region (`data-dashboard-live` = fragment URL) when
// live events arrive. A burst of events (a whole checklist being worked) makes one
// request, 500 ms after the last event.
(function () {
  "use strict";
  var timer = null;
  document.addEventListener("sentinel:live", function () {
    var region = document.querySelector("[data-dashboard-live]");
    if (!region || !window.SentinelUI) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      window.SentinelUI.refresh(region.getAttribute("data-dashboard-live"), region);
    }, 500);
  });
})();
