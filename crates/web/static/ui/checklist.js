// The live checklist: keeps what a user is typing safe from live refreshes.
// ui.js replaces [data-live-region] whenever another operator changes the checklist;
// a dialog inside it would vanish mid-sentence. So an opened dialog is moved out of
// the region (its form still submits and swaps the region) and dropped when it
// closes; the region's own fresh copy is what opens next time.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    var region = document.querySelector("[data-live-region]");
    if (!dialog || !region || !region.contains(dialog)) return;
    var detached = dialog;
    document.body.appendChild(detached);
    detached.addEventListener("close", function () {
      detached.remove();
      // Return focus to the same control in the (possibly refreshed) region.
      var again = document.querySelector('[data-open-dialog="' + detached.id + '"]');
      if (again) again.focus();
    }, { once: true });
  }, true); // capture: before ui.js opens it

  // A note handed over is done: clear the form (it lives outside the region).
  document.addEventListener("sentinel:swapped", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.hasAttribute("data-live-region")) return;
    document.querySelectorAll("form[data-reset-after][aria-busy=true]").forEach(function (form) {
      form.reset();
    });
  });
})();
