/* Lapor's service worker: the app's shell (the page carries the label catalogue) from the cache
   (the app opens without signal), and Background Sync sends what waits in the outbox. */
importScripts("../shared/idb.umd.js", "../shared/outbox.js");

const VERSION = "{{version}}"; // a digest of the files below: a new one replaces the cache
const CACHE = `kawal-lapor-${VERSION}`;
const SHELL = [
  "./", "app.js", "style.css", "manifest.webmanifest", "icon.svg", "privasi",
  "../shared/kawal.css", "../shared/i18n.js", "../shared/outbox.js", "../shared/idb.umd.js",
  "../shared/exifr.mini.umd.js",
];
const API = new URL("../", self.registration.scope);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("kawal-lapor-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

const shell = new Set(SHELL.map((path) => new URL(path, self.registration.scope).href));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  url.hash = "";
  const key = url.search ? null : url.href;
  if (request.mode === "navigate" && url.pathname.startsWith(new URL(self.registration.scope).pathname)) {
    // the page: fresh when online, the cached shell when not
    event.respondWith(fetch(request).catch(() => caches.match(new URL("./", self.registration.scope).href)));
  } else if (key && shell.has(key)) {
    // stale-while-revalidate: instant from cache, refreshed for next time
    event.respondWith(caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(key);
      const fresh = fetch(request).then((answer) => { if (answer.ok) cache.put(key, answer.clone()); return answer; });
      if (cached) { event.waitUntil(fresh.catch(() => {})); return cached; }
      return fresh;
    }));
  }
});

async function sendWaiting() {
  const outcome = await self.KawalOutbox.drain(API);
  for (const client of await self.clients.matchAll()) client.postMessage("outbox");
  if (outcome.waiting) throw new Error("still waiting"); // the browser tries the sync again later
}

self.addEventListener("sync", (event) => {
  if (event.tag === "kawal-outbox") event.waitUntil(sendWaiting());
});
