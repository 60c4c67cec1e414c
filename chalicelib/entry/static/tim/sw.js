/* Tim's service worker: the shared shell (../shared/sw-shell.js) with Tim's files. */
importScripts("../shared/idb.umd.js", "../shared/outbox.js", "../shared/sw-shell.js");

self.KawalShell.serve("tim", "{{version}}", ["./", "app.js", "style.css", "manifest.webmanifest", "icon.svg",
  "../shared/qrcode.js", "../shared/qr.js"]);
