// The Reports page: an export runs in the page, so the page can show how far it has got.
// A streamed CSV has no length, so the browser's own download bar cannot show progress;
// here the rows are counted as they arrive ("12,480 rows · 3.1 MB"). An Excel file or a
// PDF is built whole first ("Preparing… 4 s"), then shows its share of a known length.
// When the body is complete the file is saved under the server's name. A refusal shows
// the server's reason next to the form. Without JavaScript the forms download directly.
(function () {
  "use strict";

  var NUMBER = new Intl.NumberFormat();

  function size(bytes) {
    if (bytes < 1024) return bytes + " bytes";
    if (bytes < 1048576) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  // The name from Content-Disposition: RFC 6266's filename* first, then filename.
  function filenameOf(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (encoded) {
      try { return decodeURIComponent(encoded[1]); } catch (e) { /* fall through */ }
    }
    var plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  // Counts CSV records across chunks: a newline inside a quoted field is not a new row
  // (a doubled quote toggles twice, so the parity stays right).
  function recordCounter() {
    var quoted = false;
    var newlines = 0;
    return {
      add: function (bytes) {
        for (var i = 0; i < bytes.length; i++) {
          if (bytes[i] === 34) quoted = !quoted;
          else if (bytes[i] === 10 && !quoted) newlines++;
        }
      },
      // Records after the header row.
      rows: function () { return Math.max(0, newlines - 1); }
    };
  }

  // The reason of a refusal: the error page's message, or the status.
  function reasonOf(response) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var message = page.querySelector(".state-error p");
      return message && message.textContent.trim() ? message.textContent.trim() : "the server answered " + response.status;
    }, function () { return "the server answered " + response.status; });
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function run(form, url) {
    var buttons = form.querySelectorAll("button[type=submit]");
    var status = form.querySelector("[data-export-status]");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn";
    cancel.textContent = "Cancel";
    cancel.setAttribute("data-export-cancel", "");
    var abort = new AbortController();
    var started = Date.now();
    var say = function (text) { status.textContent = text; };
    var seconds = function () { return Math.round((Date.now() - started) / 1000) + " s"; };

    buttons.forEach(function (b) { b.disabled = true; });
    form.setAttribute("aria-busy", "true");
    status.after(cancel);
    cancel.addEventListener("click", function () { abort.abort(); });
    say("Preparing the export…");
    var waiting = window.setInterval(function () { say("Preparing the export… " + seconds()); }, 500);

    function finish(text) {
      window.clearInterval(waiting);
      buttons.forEach(function (b) { b.disabled = false; });
      form.removeAttribute("aria-busy");
      cancel.remove();
      say(text);
    }

    fetch(url, { credentials: "same-origin", signal: abort.signal }).then(function (response) {
      window.clearInterval(waiting);
      if (!response.ok) {
        return reasonOf(response).then(function (reason) { finish("Not exported: " + reason); });
      }
      var type = response.headers.get("Content-Type") || "application/octet-stream";
      var csv = type.indexOf("text/csv") === 0;
      var total = Number(response.headers.get("Content-Length")) || 0;
      var name = filenameOf(response, "export");
      var counter = recordCounter();
      var chunks = [];
      var received = 0;
      var progress = function () {
        if (csv) return NUMBER.format(counter.rows()) + (counter.rows() === 1 ? " row · " : " rows · ") + size(received);
        if (total) return size(received) + " of " + size(total) + " (" + Math.floor(received * 100 / total) + " %)";
        return size(received);
      };
      var reader = response.body.getReader();
      var shown = 0;
      var pump = function () {
        return reader.read().then(function (part) {
          if (part.done) {
            save(new Blob(chunks, { type: type }), name);
            finish("Saved " + name + ": " + progress() + " in " + seconds() + ".");
            return undefined;
          }
          chunks.push(part.value);
          received += part.value.length;
          if (csv) counter.add(part.value);
          // Repaint the figure at most four times a second.
          if (Date.now() - shown > 250) {
            shown = Date.now();
            say("Receiving: " + progress());
          }
          return pump();
        });
      };
      say("Receiving: " + progress());
      return pump();
    }).catch(function (error) {
      finish(error && error.name === "AbortError" ? "Export cancelled." : "Not exported: the connection failed.");
    });
  }

  document.querySelectorAll("form[data-export]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.ReadableStream || !form.querySelector("[data-export-status]")) return;
      event.preventDefault();
      var submitter = event.submitter;
      var action = submitter && submitter.getAttribute("formaction") ? submitter.getAttribute("formaction") : form.getAttribute("action");
      var query = new URLSearchParams(new FormData(form)).toString();
      run(form, action + (query ? "?" + query : ""));
    });
  });
})();
