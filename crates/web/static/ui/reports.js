// The Reports page: exports run in the page, so the page can show how far they have got.
// - A CSV export has no row cap and no length (it is streamed as the rows are read). Where
//   the browser can write a file as it arrives (showSaveFilePicker), the page asks where
//   to save it first, then writes each chunk there and counts the rows ("12,480 rows ·
//   3.1 MB"): memory stays flat however long the export. Elsewhere the form downloads
//   natively and the browser's downloads show the bytes.
// - An Excel file or a PDF is built whole before its first byte ("Preparing… 4 s"), then
//   shows its share of a known length and is saved when complete.
// A refusal shows the server's reason beside the form; a session that ended goes to the
// sign-in page, which comes back here. Without JavaScript the forms download directly.
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
  // (a doubled quote toggles twice, so the parity stays right). Our CSV ends every
  // record, the last too, with a newline.
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

  // The reason of a refusal: the server's message (a fragment for the page's scripts).
  function reasonOf(response) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var message = page.querySelector(".error-text, .state-error p");
      return message && message.textContent.trim() ? message.textContent.trim() : "the server answered " + response.status;
    }, function () { return "the server answered " + response.status; });
  }

  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // Long enough for a "Save as" dialog left open a while.
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 600000);
  }

  // A sink for the body: a file being written (streamed CSV), or memory saved at the end.
  function fileSink(writable, name) {
    return {
      name: name,
      write: function (chunk) { return writable.write(chunk); },
      close: function () { return writable.close(); },
      abort: function () { return writable.abort().catch(function () { return undefined; }); }
    };
  }

  function memorySink() {
    var chunks = [];
    var sink = {
      name: "",
      type: "application/octet-stream",
      write: function (chunk) { chunks.push(chunk); return Promise.resolve(); },
      close: function () {
        var blob = new Blob(chunks, { type: sink.type });
        chunks = null; // the Blob holds the bytes now
        saveBlob(blob, sink.name);
        return Promise.resolve();
      },
      abort: function () { chunks = null; return Promise.resolve(); }
    };
    return sink;
  }

  function run(form, url, sink) {
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

    function refuse(text) {
      return sink.abort().then(function () { finish(abort.signal.aborted ? "Export cancelled." : "Not exported: " + text); });
    }

    var request = { credentials: "same-origin", signal: abort.signal, headers: { "X-Requested-With": "fetch" } };
    fetch(url, request).then(function (response) {
      window.clearInterval(waiting);
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 401 || response.redirected) {
        // The session ended: sign in again and come back to this page.
        sink.abort();
        window.location.assign("/ui/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
        return undefined;
      }
      if (!response.ok) return reasonOf(response).then(refuse);
      if (type.indexOf("text/html") === 0) return refuse("the server answered a page, not a file");
      var csv = type.indexOf("text/csv") === 0;
      var total = Number(response.headers.get("Content-Length")) || 0;
      if (!sink.name) sink.name = filenameOf(response, "export");
      sink.type = type;
      var counter = recordCounter();
      var received = 0;
      var shown = 0;
      var progress = function () {
        if (csv) return NUMBER.format(counter.rows()) + (counter.rows() === 1 ? " row · " : " rows · ") + size(received);
        if (total) return size(received) + " of " + size(total) + " (" + Math.floor(received * 100 / total) + " %)";
        return size(received);
      };
      var reader = response.body.getReader();
      var pump = function () {
        return reader.read().then(function (part) {
          if (part.done) {
            return sink.close().then(function () { finish("Saved " + sink.name + ": " + progress() + " in " + seconds() + "."); });
          }
          received += part.value.length;
          if (csv) counter.add(part.value);
          // Repaint the figure at most four times a second.
          if (Date.now() - shown > 250) {
            shown = Date.now();
            say("Receiving: " + progress());
          }
          return sink.write(part.value).then(pump);
        });
      };
      say("Receiving: " + progress());
      return pump();
    }).catch(function () {
      return refuse("the connection failed");
    });
  }

  document.querySelectorAll("form[data-export]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var status = form.querySelector("[data-export-status]");
      if (!window.fetch || !window.ReadableStream || !status) return;
      var submitter = event.submitter;
      var action = submitter && submitter.getAttribute("formaction") ? submitter.getAttribute("formaction") : form.getAttribute("action");
      var query = new URLSearchParams(new FormData(form)).toString();
      var url = action + (query ? "?" + query : "");
      if (!/\.csv$/.test(action)) {
        event.preventDefault();
        run(form, url, memorySink());
        return;
      }
      if (!window.showSaveFilePicker) {
        // No way to write a file as it arrives: the browser downloads it and shows the bytes.
        status.textContent = "Downloading: your browser's downloads show its progress.";
        return;
      }
      event.preventDefault();
      // Asked now, while the click still counts as the user's: where to write the rows.
      var suggested = action.split("/").pop();
      window.showSaveFilePicker({ suggestedName: suggested, types: [{ description: "CSV", accept: { "text/csv": [".csv"] } }] })
        .then(function (handle) {
          return handle.createWritable().then(function (writable) { run(form, url, fileSink(writable, handle.name)); });
        })
        .catch(function (error) {
          status.textContent = error && error.name === "AbortError" ? "Export cancelled." : "Not exported: the file could not be opened.";
        });
    });
  });
})();
