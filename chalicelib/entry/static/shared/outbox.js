/* Requests kept on the phone (IndexedDB) until the API has them. Each item is one API
   call whose body carries the client id the API dedupes on (client_report_id,
   client_support_id, …): sending it again after a lost answer returns the same
   report, never a second one. The page and the service worker (Background Sync) both
   drain it; a Web Lock keeps them from sending the same item at the same moment. */
(function (root) {
  "use strict";
  const DB = "kawal";
  const LOCK = "kawal-outbox";
  let opened = null;
  let running = null;

  function db() {
    opened = opened || root.idb.openDB(DB, 1, {
      upgrade(d) {
        d.createObjectStore("outbox", { keyPath: "id" }); // waiting or refused requests
        d.createObjectStore("sent", { keyPath: "id" }); // what the API answered, by item id
        d.createObjectStore("kv"); // the device token and small caches
      },
    });
    return opened;
  }
  async function kvGet(key) { return (await db()).get("kv", key); }
  async function kvSet(key, value) { return (await db()).put("kv", value, key); }

  /* item: {id (the client id), kind, path (relative to the API root), method, body (JSON text), reporter_token?} */
  async function add(item) {
    const stored = { method: "POST", ...item, state: "waiting", attempts: 0, created_at: new Date().toISOString() };
    await (await db()).put("outbox", stored);
    return stored;
  }
  async function waiting() {
    const items = await (await db()).getAll("outbox");
    return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
  async function get(id) { return (await db()).get("outbox", id); }
  async function sent(id) { return (await db()).get("sent", id); }
  async function allSent() { return (await db()).getAll("sent"); }
  async function remove(id) { return (await db()).delete("outbox", id); }
  async function retry(id) { return update(id, { state: "waiting", error: null }); }

  /* change an item only if it is still waiting here (another sender may have finished it) */
  async function update(id, change) {
    const tx = (await db()).transaction("outbox", "readwrite");
    const current = await tx.store.get(id);
    if (current) await tx.store.put({ ...current, ...change });
    await tx.done;
  }

  /* A staff member's access token: in memory only (page or service worker), renewed
     from the HttpOnly refresh cookie the sign-in set (POST /auth/refresh). */
  let staff = null;
  function setStaffToken(token, expiresIn) {
    staff = token ? { token, until: Date.now() + (expiresIn - 60) * 1000 } : null;
  }
  async function staffToken(api) {
    if (staff && staff.until > Date.now()) return staff.token;
    const answer = await fetch(new URL("auth/refresh", api), { method: "POST", credentials: "same-origin" });
    if (answer.status === 401) { staff = null; throw Object.assign(new Error("signed out"), { signedOut: true }); }
    if (!answer.ok) throw new Error(`refresh: ${answer.status}`);
    const body = await answer.json();
    setStaffToken(body.access_token, body.expires_in);
    return body.access_token;
  }
  /* Answers that mean "not yet" rather than "no": a photo still being processed. */
  const LATER = new Set(["after_photo_not_ready", "check_photo_not_ready"]);

  async function deviceToken(api) {
    const known = await kvGet("device_token");
    if (known) return known;
    const answer = await fetch(new URL("devices", api), { method: "POST" });
    if (!answer.ok) throw new Error(`device registration: ${answer.status}`);
    const token = (await answer.json()).device_token;
    await kvSet("device_token", token);
    return token;
  }

  /* One attempt: "sent", "waiting" (no network or the API is busy: later) or "failed" (refused: kept, shown). */
  async function sendOne(api, item) {
    let answer;
    try {
      const headers = { "Content-Type": "application/json" };
      if (item.kind === "report" || item.kind === "support") headers["X-Device-Token"] = await deviceToken(api);
      if (item.reporter_token) headers["X-Reporter-Token"] = item.reporter_token;
      if (item.auth === "staff") headers.Authorization = `Bearer ${await staffToken(api)}`;
      answer = await fetch(new URL(item.path, api), { method: item.method, headers, body: item.body });
    } catch (e) {
      await update(item.id, { attempts: item.attempts + 1, state: "waiting" });
      return "waiting";
    }
    let body = null;
    try { body = await answer.json(); } catch (e) { /* an empty or non-JSON answer */ }
    if (answer.ok) {
      const tx = (await db()).transaction(["outbox", "sent"], "readwrite");
      tx.objectStore("sent").put({ id: item.id, kind: item.kind, sent_at: new Date().toISOString(), response: body });
      tx.objectStore("outbox").delete(item.id);
      await tx.done;
      return "sent";
    }
    const error = (body && body.error) || { code: String(answer.status), message: answer.statusText };
    if (error.code === "unknown_device") { // this phone's registration is gone: register again
      await kvSet("device_token", null);
      await update(item.id, { attempts: item.attempts + 1 });
      return "waiting";
    }
    if (answer.status === 401 && item.auth === "staff") { // the token lapsed: renew, then again
      staff = null;
      await update(item.id, { attempts: item.attempts + 1 });
      return "waiting";
    }
    const later = answer.status >= 500 || answer.status === 408 || answer.status === 429 || LATER.has(error.code);
    await update(item.id, { attempts: item.attempts + 1, state: later ? "waiting" : "failed", error });
    return later ? "waiting" : "failed";
  }

  /* Send what waits, oldest first; stop at the first network failure (no signal). */
  function drain(api) {
    if (running) return running;
    const work = async () => {
      const outcome = { sent: 0, waiting: 0, failed: 0 };
      for (const item of await waiting()) {
        if (item.state === "failed") continue;
        const result = await sendOne(api, item);
        outcome[result] += 1;
        if (result === "waiting") break;
      }
      return outcome;
    };
    const locks = root.navigator && root.navigator.locks;
    running = (locks ? locks.request(LOCK, work) : work()).finally(() => { running = null; });
    return running;
  }

  /* One request, kept first and tried at once: {state: "sent", response}, {state:
     "waiting"} (kept, sent later), or {state: "refused", error}: the API said no, so
     nothing was stored, and it is not kept (the person corrects it and sends again). */
  async function sendNow(api, item) {
    await add(item);
    await drain(api);
    const done = await sent(item.id);
    if (done) return { state: "sent", response: done.response };
    const left = await get(item.id);
    if (left && left.state === "failed") {
      await remove(item.id);
      return { state: "refused", error: left.error };
    }
    return { state: "waiting" };
  }

  root.KawalOutbox = {
    add, sendNow, waiting, get, sent, allSent, remove, retry, drain, deviceToken, kvGet, kvSet,
    setStaffToken, staffToken,
  };
})(self);
