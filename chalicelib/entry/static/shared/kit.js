/* Small pieces both apps use: building elements, a photo made small on the phone,
   and sending what waits in the outbox (now, and again while anything waits). */
(function (root) {
  "use strict";
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  /* The API's JSON, or an Error carrying the status and our error body (4xx/5xx). */
  async function api(base, path, options, token) {
    const headers = { ...(options && options.headers) };
    if (token) headers.Authorization = `Bearer ${token}`;
    const answer = await fetch(new URL(path, base), { ...options, headers });
    let body = null;
    try { body = await answer.json(); } catch (e) { /* no JSON */ }
    if (!answer.ok) {
      const message = (body && body.error && body.error.message) || answer.statusText;
      throw Object.assign(new Error(message), { status: answer.status, body });
    }
    return body;
  }

  /* ≤ maxSide px JPEG, EXIF orientation applied ("from-image"); the server still
     strips and re-encodes whatever arrives. */
  async function downscale(file, maxSide) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const canvas = el("canvas", { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
  }
  function toBase64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  /* Send what waits: on "online", on opening, and on a backing-off timer while
     anything waits (a phone's "online" event is not to be trusted: it fires on a
     Wi-Fi without internet and not at all when some browsers come back).
     send() drains and answers the outbox's outcome, or null when nothing waits. */
  function sender(send) {
    let wait = 5000;
    let timer = null;
    async function now() {
      clearTimeout(timer);
      const outcome = await send();
      if (outcome && outcome.waiting) {
        timer = setTimeout(now, wait);
        wait = Math.min(wait * 2, 60000);
      } else {
        wait = 5000;
      }
      return outcome;
    }
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(now, wait);
      if (navigator.serviceWorker) {
        navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register("kawal-outbox")).catch(() => {});
      }
    }
    return { now, soon };
  }

  /* Web push on this phone: the browser's subscription for the server's VAPID key,
     handed to ``path`` (the squad's or the phone's); false where push is not offered. */
  const pushOffered = () => "serviceWorker" in navigator && "PushManager" in root && "Notification" in root;
  async function enablePush(base, path, headers, token) {
    if (!pushOffered() || (await Notification.requestPermission()) !== "granted") return false;
    const reg = await navigator.serviceWorker.ready;
    const key = (await api(base, "push/key")).public_key;
    const subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await api(base, path, { method: "POST", headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(subscription) }, token);
    return true;
  }

  root.KawalKit = { el, api, downscale, toBase64, sender, pushOffered, enablePush };
})(self);
