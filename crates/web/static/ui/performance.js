// Performance page: when points arrive for this user (`points_updated` on the live
// stream) or the stream resyncs, refetch the numbers region (`data-performance-live`
// = fragment URL for the window shown). A burst of awards makes one request.
(function () {
  "use strict";
  var timer = null;
  document.addEventListener("sentinel:live", function (event) {
    var data = event.detail || {};
    if (data.kind !== "points_updated" && data.kind !== "resync") return;
    var region = document.querySelector("[data-performance-live]");
    if (!region || !window.SentinelUI) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      window.SentinelUI.refresh(region.getAttribute("data-performance-live"), region);
    }, 300);
  });
})();
