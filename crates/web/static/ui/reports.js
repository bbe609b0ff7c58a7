// The Reports page: an export's body is streamed with no length, so the browser shows
// nothing until the file starts. On submit, a random token goes with the form, the
// buttons are disabled and "Preparing…" shows; the server sets a cookie of that token
// when the download begins (see `ui/download_token.rs`), and then the form is ready again.
(function () {
  "use strict";
  var COOKIE = "sentinelops_download";

  function token() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function cookieIs(value) {
    return document.cookie.split(";").some(function (part) { return part.trim() === COOKIE + "=" + value; });
  }

  function clearCookie() {
    document.cookie = COOKIE + "=; Path=/ui; Max-Age=0; SameSite=Strict";
  }

  function watch(form, value) {
    var buttons = form.querySelectorAll("button[type=submit]");
    var status = form.querySelector("[data-export-status]");
    var started = Date.now();
    buttons.forEach(function (b) { b.disabled = true; });
    form.setAttribute("aria-busy", "true");
    if (status) status.textContent = "Preparing the export…";
    var timer = window.setInterval(function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      if (cookieIs(value)) {
        window.clearInterval(timer);
        clearCookie();
        buttons.forEach(function (b) { b.disabled = false; });
        form.removeAttribute("aria-busy");
        if (status) status.textContent = "Download started: the browser is receiving the rows.";
      } else if (status) {
        status.textContent = "Preparing the export… " + seconds + " s";
      }
      // A refusal replaces this page with the error page; after two minutes, give the form back anyway.
      if (seconds > 120) {
        window.clearInterval(timer);
        buttons.forEach(function (b) { b.disabled = false; });
        form.removeAttribute("aria-busy");
      }
    }, 250);
  }

  document.querySelectorAll("form[data-export]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var value = token();
      var input = form.querySelector("input[name=download_token]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "download_token";
        form.appendChild(input);
      }
      input.value = value;
      clearCookie();
      // Disable after the submission has been built (a disabled button would not submit).
      window.setTimeout(function () { watch(form, value); }, 0);
    });
  });
})();
