/* The web apps' service worker, shared: the app's shell from the cache (it opens
   without signal), the page itself fresh when online, and Background Sync sending
   what waits in the outbox. Each app's sw.js names its cache and its files. */
(function (root) {
  "use strict";
  function serve(app, version, files) {
    const CACHE = `kawal-${app}-${version}`;
    const SHELL = [...files, "../shared/kawal.css", "../shared/i18n.js", "../shared/kit.js", "../shared/outbox.js",
      "../shared/idb.umd.js", "../shared/sw-shell.js"];
    const scope = root.registration.scope;
    const API = new URL("../", scope);
    const shell = new Set(SHELL.map((path) => new URL(path, scope).href));

    root.addEventListener("install", (event) => {
      event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => root.skipWaiting()));
    });
    root.addEventListener("activate", (event) => {
      event.waitUntil(
        caches.keys()
          .then((keys) => Promise.all(keys.filter((k) => k.startsWith(`kawal-${app}-`) && k !== CACHE).map((k) => caches.delete(k))))
          .then(() => root.clients.claim()),
      );
    });
    root.addEventListener("fetch", (event) => {
      const request = event.request;
      if (request.method !== "GET") return;
      const url = new URL(request.url);
      url.hash = "";
      const key = url.search ? null : url.href;
      if (request.mode === "navigate" && url.pathname.startsWith(new URL(scope).pathname)) {
        // the page: fresh when online, the cached shell when not
        event.respondWith(fetch(request).catch(() => caches.match(new URL("./", scope).href)));
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
      const outcome = await root.KawalOutbox.drain(API);
      for (const client of await root.clients.matchAll()) client.postMessage("outbox");
      if (outcome.waiting) throw new Error("still waiting"); // the browser tries the sync again later
    }
    root.addEventListener("sync", (event) => {
      if (event.tag === "kawal-outbox") event.waitUntil(sendWaiting());
    });
    // web push: the server's words as a notification; a tap opens the report
    root.addEventListener("push", (event) => {
      let said = {};
      try { said = event.data ? event.data.json() : {}; } catch (e) { said = { body: event.data && event.data.text() }; }
      event.waitUntil(root.registration.showNotification(said.title || "Kawal", {
        body: said.body || "", tag: said.id, data: { url: said.url || scope }, icon: new URL("icon.svg", scope).href,
      }));
    });
    root.addEventListener("notificationclick", (event) => {
      event.notification.close();
      event.waitUntil(root.clients.openWindow(event.notification.data.url));
    });
  }
  root.KawalShell = { serve };
})(self);
