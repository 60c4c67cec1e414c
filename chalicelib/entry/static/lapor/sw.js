/* Lapor's service worker: the shared shell (../shared/sw-shell.js) with Lapor's files;
   the page carries the label catalogue, so it is cached with the page. */
importScripts("../shared/idb.umd.js", "../shared/outbox.js", "../shared/sw-shell.js");

self.KawalShell.serve("lapor", "{{version}}", [
  "./", "app.js", "reporter.js", "style.css", "manifest.webmanifest", "icon.svg", "privasi", "../shared/exifr.mini.umd.js",
]);
