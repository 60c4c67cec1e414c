/* Lapor: a citizen's report in three taps (photo, label, send), offline-first.
   Talks only to the API beside it (same origin); every report goes through the
   outbox (IndexedDB) first, so a lost signal or a closed tab never loses it. */
(function () {
  "use strict";
  const $ = (selector, scope) => (scope || document).querySelector(selector);
  const I = self.KawalI18n;
  const Outbox = self.KawalOutbox;
  const Kit = self.KawalKit;
  const el = Kit.el;
  const API = new URL("../", location.href);
  const settings = JSON.parse($("#settings").textContent);
  const MAX_SIDE = 1600; // px: plenty for a squad to see the problem, ~300 KB as JPEG
  const GOOD_ACCURACY = 100; // m: worse than this, a photo's own GPS is the better guess
  const INLINE_MAX = 4 * 1024 * 1024;

  I.add({
    skip: ["Langsung ke isi", "Skip to content"],
    nav_report: ["Lapor", "Report"],
    nav_mine: ["Laporan saya", "My reports"],
    lang_switch: ["Ganti bahasa ke English", "Switch language to Bahasa Indonesia"],
    offline: ["Tidak ada sinyal. Laporan tetap bisa dibuat dan dikirim otomatis nanti.",
      "No signal. You can still make a report; it is sent automatically later."],
    report_title: ["Buat laporan", "Make a report"],
    intro: ["Foto, pilih label, kirim. Identitas Anda dirahasiakan.",
      "Photo, pick a label, send. Your identity is kept confidential."],
    loading: ["Memuat…", "Loading…"],
    step_photo: ["1. Foto masalahnya", "1. Photo of the problem"],
    photo: ["Foto", "Photo"],
    gallery: ["Pilih dari galeri", "Choose from gallery"],
    photo_working: ["Menyiapkan foto…", "Preparing the photo…"],
    photo_ready: ["Foto siap ({kb} KB).", "Photo ready ({kb} KB)."],
    photo_bad: ["Foto ini tidak bisa dibaca. Coba foto lain.", "This photo cannot be read. Try another one."],
    photo_preview: ["Foto yang akan dikirim", "The photo to be sent"],
    step_label: ["2. Pilih label", "2. Pick a label"],
    handled: ["Ditangani {squad}", "Handled by {squad}"],
    step_where: ["3. Lokasi", "3. Location"],
    use_gps: ["Pakai lokasi saya", "Use my location"],
    choose_district: ["Atau pilih kecamatan (ganti bila keliru)", "Or choose the district (change it if wrong)"],
    place_is: ["Kecamatan {name}", "{name} district"],
    place_village: ["{kind} {name}", "{kind} {name}"],
    place_approx: ["perkiraan, ganti bila keliru", "approximate, change it if wrong"],
    village: ["Desa/kelurahan", "Village"],
    village_none: ["— desa/kelurahan —", "— village —"],
    district_none: ["— kecamatan —", "— district —"],
    where_none: ["Lokasi belum ada. Pakai GPS atau pilih kecamatan.", "No location yet. Use GPS or choose the district."],
    where_wait: ["Mencari lokasi…", "Finding your location…"],
    where_gps: ["Lokasi GPS, akurasi ±{m} m.", "GPS location, accuracy ±{m} m."],
    where_gps_poor: ["GPS kurang akurat (±{m} m). Coba di tempat terbuka, atau pilih kecamatan.",
      "GPS is imprecise (±{m} m). Try in the open, or choose the district."],
    where_photo: ["Lokasi dari foto.", "Location from the photo."],
    where_district: ["Titik tengah Kecamatan {name}.", "Centre of {name} district."],
    where_outside: ["Titik ini di luar Kabupaten Trenggalek. Kawal hanya menerima laporan di wilayah Trenggalek: pilih kecamatan bila GPS keliru.",
      "This point is outside Trenggalek regency. Kawal only takes reports inside Trenggalek: choose the district if GPS is wrong."],
    gps_denied: ["Lokasi tidak tersedia (izin ditolak atau GPS mati). Pilih kecamatan.",
      "Location unavailable (permission denied or GPS off). Choose the district."],
    nearby_title: ["Sudah ada laporan serupa di dekat Anda", "A similar report already exists near you"],
    nearby_help: ["Bila sama, dukung laporan itu saja: petugas melihat berapa warga terdampak.",
      "If it is the same, support it instead: the squad sees how many people are affected."],
    nearby_item: ["{code} · {status} · {m} m dari sini", "{code} · {status} · {m} m from here"],
    support: ["Dukung {code} (+1)", "Support {code} (+1)"],
    supported: ["Dukungan Anda untuk {code} tercatat. Terima kasih!", "Your support for {code} is counted. Thank you!"],
    support_queued: ["Dukungan disimpan dan dikirim saat ada sinyal.", "Support saved; it is sent when there is signal."],
    more: ["Tambah keterangan (tidak wajib)", "Add details (optional)"],
    description: ["Uraian", "Description"],
    address: ["Alamat atau patokan", "Address or landmark"],
    choose: ["— pilih —", "— choose —"],
    contact_toggle: ["Saya ingin kabar perkembangan (tidak wajib)", "I want updates (optional)"],
    anonymous: ["Tanpa data kontak, laporan Anda anonim.", "Without contact details your report is anonymous."],
    name: ["Nama", "Name"],
    phone: ["Nomor HP", "Mobile number"],
    email: ["Email", "Email"],
    privacy_short: ["Kontak Anda hanya untuk mengabari Anda: tidak ditampilkan ke publik maupun petugas lapangan.",
      "Your contact is only used to update you: never shown to the public or to field staff."],
    privacy_link: ["Pemberitahuan privasi", "Privacy notice"],
    send: ["Kirim", "Send"],
    sending: ["Mengirim…", "Sending…"],
    need_label: ["Pilih label dulu.", "Pick a label first."],
    need_where: ["Lokasi belum ada: pakai GPS atau pilih kecamatan.", "No location yet: use GPS or choose the district."],
    bad_phone: ["Nomor HP tidak valid (contoh: 0812 3456 7890).", "Not a valid mobile number (e.g. 0812 3456 7890)."],
    bad_email: ["Alamat email tidak valid.", "Not a valid email address."],
    need_way: ["Isi nomor HP atau email agar bisa dikabari.", "Give a mobile number or an email to get updates."],
    sent_title: ["Laporan terkirim", "Report sent"],
    sent_text: ["Simpan kode ini untuk mengikuti laporan Anda:", "Keep this code to follow your report:"],
    queued_title: ["Tersimpan, menunggu sinyal", "Saved, waiting for signal"],
    queued_text: ["Laporan disimpan di HP ini dan dikirim otomatis saat ada sinyal.",
      "The report is kept on this phone and sent automatically when there is signal."],
    refused: ["Laporan ditolak: {message}", "Report refused: {message}"],
    follow: ["Ikuti laporan", "Follow the report"],
    sent_who: ["Ditangani {squad}. Batas tanggapan: {when}.", "Handled by {squad}. Response due: {when}."],
    copy_code: ["Salin kode", "Copy the code"],
    share_code: ["Bagikan", "Share"],
    copied: ["Kode {code} disalin.", "Code {code} copied."],
    share_text: ["Laporan saya di Kawal Trenggalek: {code}", "My report on Kawal Trenggalek: {code}"],
    nearby_photo: ["Foto laporan {code}", "Photo of report {code}"],
    again: ["Lapor lagi", "Report again"],
    mine_title: ["Laporan saya", "My reports"],
    mine_empty: ["Belum ada laporan dari HP ini.", "No reports from this phone yet."],
    mine_offline: ["Tanpa sinyal: daftar terakhir yang tersimpan.", "No signal: the last list saved."],
    pending: ["menunggu sinyal", "waiting for signal"],
    failed: ["ditolak", "refused"],
    remove: ["Hapus", "Delete"],
    retry: ["Coba lagi", "Try again"],
    deadline: ["Batas tanggapan: {when}", "Response due: {when}"],
    late: ["terlambat", "late"],
    supporters: ["{n} warga mendukung", "{n} people support it"],
    timeline: ["Perjalanan laporan", "Timeline"],
    before: ["Sebelum", "Before"],
    after: ["Sesudah", "After"],
    my_data: ["Data pribadi saya", "My personal data"],
    push_on: ["Kabari saya lewat notifikasi", "Tell me by notification"],
    push_done: ["Notifikasi aktif: perkembangan laporan dari HP ini akan muncul di sini.", "Notifications on: this phone's reports will show their progress here."],
    push_refused: ["Notifikasi tidak diizinkan di HP ini.", "Notifications are not allowed on this phone."],
    my_data_none: ["HP ini belum mengirim laporan, jadi tidak ada data pribadi Anda di sini.", "This phone has sent no report, so no personal data of yours is here."],
    my_data_contact: ["Kontak pada {code}: {contact}", "Contact on {code}: {contact}"],
    my_data_no_contact: ["{code}: tanpa kontak", "{code}: no contact"],
    my_data_erase: ["Hapus kontak saya dan lupakan HP ini", "Erase my contact and forget this phone"],
    my_data_erase_sure: ["Ya, hapus. Laporan tetap ada tanpa identitas saya.", "Yes, erase. The reports stay, without my identity."],
    my_data_erased: ["Kontak Anda sudah dihapus dan HP ini dilupakan.", "Your contact is erased and this phone forgotten."],
    step_ask: ["Pertanyaan petugas", "The squad asked"],
    step_answer: ["Jawaban pelapor", "The reporter answered"],
    step_rate: ["Penilaian pelapor: {stars} dari 5", "The reporter's rating: {stars} of 5"],
    back: ["← Kembali", "← Back"],
    not_found: ["Laporan tidak ditemukan.", "Report not found."],
    not_public: ["Laporan ini ditangani langsung oleh pusat komando; perkembangannya tidak ditampilkan di sini.",
      "This report is handled by the command centre itself; its progress is not shown here."],
    footer: ["Pemerintah Kabupaten Trenggalek · Identitas pelapor dirahasiakan.",
      "Trenggalek Regency Government · Reporters' identities are kept confidential."],
  });

  const state = {
    labels: [], districts: [], label: null, photo: null, gps: null, exif: null,
    district: null, gpsAsked: false, current: null, drawnIn: "id",
    place: null, // the server's answer for the current point: its kecamatan, or outside the outline
  };

  /* ---------- small helpers ---------- */
  const api = (path, options) => Kit.api(API, path, options);
  function statusWords(code) {
    const pair = settings.statuses[code] || [code, code];
    return I.lang === "en" ? pair[1] : pair[0];
  }
  function inside(lat, lon) {
    const b = settings.bounds;
    return lat >= b.min_lat && lat <= b.max_lat && lon >= b.min_lon && lon <= b.max_lon;
  }
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = el("script", { src });
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }

  /* ---------- 1. the photo: EXIF GPS read here (the server strips it), then downscaled ---------- */
  async function photoGps(file) {
    try {
      if (!self.exifr) await loadScript("../shared/exifr.mini.umd.js");
      const gps = await self.exifr.gps(file);
      if (gps && Number.isFinite(gps.latitude) && Number.isFinite(gps.longitude)) return { lat: gps.latitude, lon: gps.longitude };
    } catch (e) { /* no EXIF, or not a JPEG/HEIC exifr reads */ }
    return null;
  }
  async function takePhoto(event) {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    const note = $("#photo-note");
    note.className = "muted";
    note.textContent = I.t("photo_working");
    askGps();
    const [gps, small] = await Promise.all([photoGps(file), Kit.downscale(file, MAX_SIDE).catch(() => null)]);
    // a photo the browser cannot decode (HEIC on most Androids) goes as it is: the server can
    const blob = small || (file.size <= INLINE_MAX ? file : null);
    if (!blob) {
      note.className = "error";
      note.textContent = I.t("photo_bad");
      return;
    }
    state.photo = { content_type: blob.type || file.type || "image/jpeg", data_base64: await Kit.toBase64(blob) };
    state.exif = gps;
    const preview = $("#preview");
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(blob);
    preview.alt = I.t("photo_preview");
    preview.hidden = false;
    note.className = "ok";
    note.textContent = I.t("photo_ready", { kb: Math.round(blob.size / 1024) });
    showWhere();
  }

  /* ---------- 2. the label grid, grouped by the squad that handles it ---------- */
  function renderLabels() {
    const box = $("#labels");
    box.replaceChildren();
    state.drawnIn = I.lang;
    for (const group of settings.groups) {
      const labels = state.labels.filter((label) => label.handled_by.code === group.code);
      if (!labels.length) continue;
      const grid = el("div", { class: "grid" });
      for (const label of labels) {
        grid.append(el("button", {
          type: "button", class: "label", "data-code": label.code, "aria-pressed": String(state.label === label.code),
        }, el("span", { class: "icon", "aria-hidden": "true", text: label.icon }), el("span", { text: I.name(label) })));
      }
      box.append(el("div", { class: `group squad-${group.code}` },
        el("h4", { text: I.lang === "en" ? group.handles_en : group.handles_id }), grid));
    }
  }
  function chooseLabel(code) {
    state.label = code;
    for (const button of document.querySelectorAll("button.label")) button.setAttribute("aria-pressed", String(button.dataset.code === code));
    const label = state.labels.find((l) => l.code === code);
    $("#label-chosen").textContent = `${label.icon} ${I.name(label)} · ${I.t("handled", { squad: I.name(label.handled_by) })}`;
    renderQuestions(label);
    askGps();
    checkNearby();
  }
  function renderQuestions(label) {
    const box = $("#questions");
    box.replaceChildren();
    const questions = (label.attributes || []).slice().sort((a, b) => a.order - b.order);
    for (const q of questions) {
      const text = I.lang === "en" ? q.description_en : q.description_id;
      const id = `q-${q.code}`;
      if (q.variable === false) { box.append(el("p", { class: "muted", text })); continue; }
      if (q.datatype === "multivaluelist") {
        const set = el("fieldset", { class: "question", "data-code": q.code, "data-type": q.datatype }, el("legend", { text }));
        for (const v of q.values) {
          const boxId = `${id}-${v.key}`;
          set.append(el("label", { class: "check", for: boxId }, el("input", { type: "checkbox", id: boxId, value: v.key }), I.name(v)));
        }
        box.append(set);
        continue;
      }
      let input;
      if (q.datatype === "singlevaluelist") {
        input = el("select", { id }, el("option", { value: "", text: I.t("choose") }));
        for (const v of q.values) input.append(el("option", { value: v.key, text: I.name(v) }));
      } else if (q.datatype === "text") {
        input = el("textarea", { id, rows: 2 });
      } else {
        const type = { number: "number", datetime: "datetime-local" }[q.datatype] || "text";
        input = el("input", { id, type, min: q.minimum, max: q.maximum, inputmode: type === "number" ? "decimal" : null });
      }
      input.dataset.code = q.code;
      input.dataset.type = q.datatype;
      input.classList.add("question");
      if (q.required) input.required = true;
      box.append(el("label", { for: id, text: text + (q.required ? " *" : "") }), input);
    }
  }
  function answers() {
    const out = {};
    for (const q of document.querySelectorAll("#questions .question")) {
      if (q.dataset.type === "multivaluelist") {
        const chosen = [...q.querySelectorAll("input:checked")].map((i) => i.value);
        if (chosen.length) out[q.dataset.code] = chosen;
      } else if (q.value !== "") {
        out[q.dataset.code] = q.dataset.type === "number" ? Number(q.value) : q.value;
      }
    }
    return Object.keys(out).length ? out : null;
  }

  /* ---------- 3. where: GPS if good, else the photo's own GPS, else the chosen kecamatan ---------- */
  function askGps(force) {
    if ((state.gpsAsked && !force) || !navigator.geolocation) return;
    state.gpsAsked = true;
    if (force) { state.district = null; $("#district").value = ""; }
    $("#where-text").textContent = I.t("where_wait");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        state.gps = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: Math.round(pos.coords.accuracy) };
        showWhere();
        checkNearby();
      },
      () => { state.gps = null; showWhere(true); },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  }
  function point() {
    const gps = state.gps;
    if (gps && gps.accuracy <= GOOD_ACCURACY) return { ...gps, text: I.t("where_gps", { m: gps.accuracy }) };
    if (state.exif) return { ...state.exif, text: I.t("where_photo") };
    if (gps) return { ...gps, text: I.t("where_gps_poor", { m: gps.accuracy }), poor: true };
    return null;
  }
  /* A good point keeps its place and takes the kecamatan the citizen picks (the guess
     was wrong); without one, or outside the regency, the kecamatan's centre stands in. */
  function where() {
    const here = point();
    if (state.district) {
      const d = state.districts.find((x) => x.code === state.district);
      if (here && !here.poor && !outside(here)) return { ...here, district: d.code };
      return { lat: d.lat, lon: d.lon, district: d.code, text: I.t("where_district", { name: d.name }) };
    }
    return here;
  }
  const spot = (p) => `${p.lat.toFixed(6)},${p.lon.toFixed(6)}`;
  /* outside the regency's box, or (as the server says) outside its outline */
  function outside(p) {
    return !inside(p.lat, p.lon) || Boolean(state.place && state.place.at === spot(p) && state.place.outside);
  }
  /* the kecamatan (and desa) a report filed at this point gets: the server's word,
     or offline the nearest kecamatan's centre, which is what the server would guess */
  async function locate(p) {
    const at = spot(p);
    if (state.place && state.place.at === at) return;
    state.place = { at, pending: true, ...nearest(p) };
    if (!navigator.onLine) return;
    let found;
    try {
      found = { ...(await api(`districts/at?lat=${p.lat.toFixed(6)}&lon=${p.lon.toFixed(6)}`)), at };
    } catch (e) {
      found = e.status === 400 ? { at, outside: true } : { ...state.place, pending: false };
    }
    if (!state.place || state.place.at !== at) return; // the point moved meanwhile
    state.place = found;
    showWhere();
    checkNearby();
    fillVillages();
  }
  function nearest(p) {
    const scale = Math.cos((p.lat * Math.PI) / 180);
    const far = (d) => (d.lat - p.lat) ** 2 + ((d.lon - p.lon) * scale) ** 2;
    const d = state.districts.reduce((a, b) => (far(b) < far(a) ? b : a));
    return { district: d.code, name: d.name, approx: true, village: null };
  }
  /* the kecamatan shown (picked, else the point's) */
  function shownDistrict() {
    if (state.district) return state.district;
    const here = point();
    return here && state.place && state.place.at === spot(here) && !state.place.outside ? state.place.district : null;
  }
  function showPlace(place) {
    const line = $("#place-text");
    line.replaceChildren();
    const code = place && !outside(place) ? shownDistrict() : null;
    if (!code) {
      if (!state.district) $("#district").value = "";
      return;
    }
    const d = state.districts.find((x) => x.code === code);
    if (!state.district) $("#district").value = code; // the guess, ready to be changed
    line.append(el("strong", { text: I.t("place_is", { name: d.name }) }));
    const chosen = $("#village").value;
    const v = chosen && settings.villages.find((x) => x.code === chosen);
    if (v) line.append(`, ${I.t("place_village", { kind: v.kind === "desa" ? "Desa" : "Kelurahan", name: v.name })}`);
    if (!state.district && state.place.approx) line.append(" ", el("span", { class: "approx", text: `(${I.t("place_approx")})` }));
  }
  function showWhere(denied) {
    const place = where();
    const text = $("#where-text");
    text.className = "";
    showPlace(place);
    if (!place) {
      text.textContent = I.t(denied ? "gps_denied" : "where_none");
      if (denied) text.className = "warn";
      return;
    }
    if (!state.district) locate(place);
    if (outside(place)) {
      text.textContent = I.t("where_outside");
      text.className = "error";
      return;
    }
    text.textContent = place.text;
    if (place.poor) text.className = "warn";
  }

  /* ---------- before sending: the same label's open reports within ~50 m ---------- */
  let nearbyAsked = "";
  async function checkNearby() {
    const place = where();
    const box = $("#nearby");
    if (!state.label || !place || outside(place) || !navigator.onLine) { box.hidden = true; return; }
    const query = new URLSearchParams({ label: state.label, lat: place.lat.toFixed(6), lon: place.lon.toFixed(6) });
    if (query.toString() === nearbyAsked) return;
    nearbyAsked = query.toString();
    let found = [];
    try { found = await api(`reports/nearby?${query}`); } catch (e) { found = []; }
    const list = $("#nearby-list");
    list.replaceChildren();
    for (const other of found) {
      const status = el("p", { "aria-live": "polite" });
      const item = el("li", {},
        el("span", { text: I.t("nearby_item", { code: other.code, status: statusWords(other.status), m: Math.round(other.distance_m) }) }),
        el("button", { type: "button", onclick: (e) => support(other, e.target, status) }, I.t("support", { code: other.code })),
        status);
      list.append(item);
      nearbyPhoto(other, item);
    }
    box.hidden = found.length === 0;
  }
  /* the other report's own photo, so the citizen can tell it is the same problem */
  async function nearbyPhoto(other, item) {
    let shown;
    try { shown = await api(`reports/${encodeURIComponent(other.id)}`); } catch (e) { return; }
    const photo = shown.photos.find((p) => p.role === "before" && p.state === "ready" && p.thumb_url);
    if (!photo) return;
    item.prepend(el("img", { src: photo.thumb_url, class: "nearby-photo", alt: I.t("nearby_photo", { code: other.code }),
      width: photo.width || 320, height: photo.height || 240, loading: "lazy" }));
  }
  async function support(other, button, status) {
    button.disabled = true;
    const id = crypto.randomUUID();
    const outcome = await Outbox.sendNow(API, { id, kind: "support", path: `reports/${other.id}/support`, body: JSON.stringify({ client_support_id: id, ...contactBody() }) });
    if (outcome.state === "refused") {
      button.disabled = false;
      status.className = "error";
      status.textContent = outcome.error.message;
      return;
    }
    const done = outcome.state === "sent";
    status.className = done ? "ok" : "warn";
    status.textContent = done ? I.t("supported", { code: other.code }) : I.t("support_queued");
    if (!done) requestSync();
  }

  /* ---------- sending: into the outbox first, then out ---------- */
  function contactBody() {
    const name = $("#c-name").value.trim(), phone = $("#c-phone").value.trim(), email = $("#c-email").value.trim();
    if (!name && !phone && !email) return {};
    return { contact: { name: name || null, phone: phone || null, email: email || null, notify: true } };
  }
  function problems() {
    if (!state.label) return ["need_label", "#labels-box button"];
    const place = where();
    if (!place) return ["need_where", "#gps"];
    if (outside(place)) return ["where_outside", "#district"];
    const phone = $("#c-phone").value.replace(/[\s.-]/g, "");
    if (phone && !/^(\+?62|0)8\d{7,12}$/.test(phone)) return ["bad_phone", "#c-phone"];
    const email = $("#c-email");
    if (email.value && !email.checkValidity()) return ["bad_email", "#c-email"];
    if ($("#c-name").value.trim() && !phone && !email.value) return ["need_way", "#c-phone"];
    return null;
  }
  async function submit(event) {
    event.preventDefault();
    const error = $("#form-error");
    const problem = problems();
    if (problem) {
      error.textContent = I.t(problem[0]);
      const focus = $(problem[1]);
      if (focus && focus.closest("details")) focus.closest("details").open = true;
      if (focus) focus.focus();
      return;
    }
    error.textContent = "";
    const place = where();
    const id = crypto.randomUUID();
    const body = {
      client_report_id: id, label: state.label, lat: Number(place.lat.toFixed(6)), lon: Number(place.lon.toFixed(6)),
      district: place.district || null, village: $("#village").value || null, description: $("#description").value.trim() || null,
      address: $("#address").value.trim() || null, attributes: answers(), photo: state.photo, ...contactBody(),
    };
    for (const key of Object.keys(body)) if (body[key] === null) delete body[key];
    const send = $("#send");
    send.disabled = true;
    send.textContent = I.t("sending");
    const outcome = await Outbox.sendNow(API, { id, kind: "report", path: "reports", body: JSON.stringify(body) });
    send.disabled = false;
    send.textContent = I.t("send");
    if (outcome.state === "refused") { // nothing was stored: the form stays, to correct
      error.textContent = I.t("refused", { message: outcome.error.message });
      return;
    }
    state.current = id;
    if (outcome.state === "waiting") requestSync();
    resetForm();
    await showOutcome();
  }
  async function showOutcome() {
    const id = state.current;
    if (!id) return;
    const box = $("#outcome");
    const done = await Outbox.sent(id);
    const waiting = done ? null : await Outbox.get(id);
    const follow = $("#outcome-follow");
    if (done) {
      $("#outcome-title").textContent = I.t("sent_title");
      $("#outcome-text").textContent = I.t("sent_text");
      const sent = done.response;
      $("#outcome-code").textContent = sent.code;
      follow.href = `../r/${sent.code}`;
      follow.hidden = sent.handled_by.code === "command"; // not public: no follow page
      // who has it now and by when: what the citizen would otherwise call to ask
      $("#outcome-who").textContent = I.t("sent_who", { squad: I.name(sent.handled_by), when: I.wib(sent.sla_due_at) });
    } else if (waiting && waiting.state === "failed") {
      $("#outcome-title").textContent = I.t("failed");
      $("#outcome-text").textContent = I.t("refused", { message: waiting.error.message });
      $("#outcome-code").textContent = "";
      follow.hidden = true;
    } else {
      $("#outcome-title").textContent = I.t("queued_title");
      $("#outcome-text").textContent = I.t("queued_text");
      $("#outcome-code").textContent = "";
      follow.hidden = true;
    }
    $("#outcome-who").hidden = !done;
    $("#outcome-share").hidden = !done;
    $("#share-code").hidden = !done || !navigator.share;
    const wasHidden = box.hidden;
    box.hidden = false;
    $("#report-form").hidden = true;
    if (wasHidden) box.focus();
  }
  function resetForm() {
    $("#report-form").reset();
    Object.assign(state, { label: null, photo: null, exif: null, district: null });
    $("#preview").hidden = true;
    $("#photo-note").textContent = "";
    $("#label-chosen").textContent = "";
    $("#questions").replaceChildren();
    $("#nearby").hidden = true;
    nearbyAsked = "";
    renderLabels();
    showWhere();
    fillVillages();
  }
  const waiting = Kit.sender(async () => {
    const items = await Outbox.waiting();
    if (!items.some((item) => item.state !== "failed")) return null;
    const outcome = navigator.onLine ? await Outbox.drain(API) : { waiting: 1 };
    await refreshViews();
    return outcome;
  });
  const requestSync = waiting.soon;
  const sendWaiting = waiting.now;
  async function refreshViews() {
    if (state.current && !$("#outcome").hidden) await showOutcome();
    if (!$("#view-saya").hidden) await showMine();
  }

  /* the villages to choose from: the shown kecamatan's, else all of them by kecamatan;
     the point's own desa (where village borders are configured) comes chosen */
  function fillVillages() {
    const select = $("#village");
    const shown = shownDistrict();
    const suggested = !state.district && state.place && !state.place.outside ? state.place.village : null;
    const kept = select.value || suggested;
    const none = select.options[0];
    select.replaceChildren(none);
    for (const d of settings.districts) {
      if (shown && d.code !== shown) continue;
      const group = el("optgroup", { label: `Kec. ${d.name}` });
      for (const v of settings.villages.filter((x) => x.district === d.code)) {
        group.append(el("option", { value: v.code, text: v.kind === "kelurahan" ? `Kel. ${v.name}` : v.name, selected: v.code === kept }));
      }
      select.append(group);
    }
  }

  /* ---------- my personal data (UU PDP): what is held, and erasing it ---------- */
  async function showMyData() {
    const box = $("#my-data-body");
    const token = await Outbox.kvGet("device_token");
    if (!token) { box.replaceChildren(el("p", { class: "muted", text: I.t("my_data_none") })); return; }
    const said = el("p", { role: "status" });
    let held;
    try { held = await api("privacy/my-data", { headers: { "X-Device-Token": token } }); } catch (e) {
      box.replaceChildren(el("p", { class: "error", text: e.status ? e.message : I.t("need_signal") }));
      return;
    }
    const rows = held.reports.map((r) => el("li", { text: r.contact
      ? I.t("my_data_contact", { code: r.code, contact: [r.contact.name, r.contact.phone, r.contact.email].filter(Boolean).join(", ") })
      : I.t("my_data_no_contact", { code: r.code }) }));
    const sure = el("button", { type: "button", hidden: true, onclick: async () => {
      try {
        await api("privacy/my-data", { method: "DELETE", headers: { "X-Device-Token": token } });
        await Outbox.kvSet("device_token", null);
        await Outbox.kvSet("mine_cache", []);
        box.replaceChildren(el("p", { class: "ok", role: "status", text: I.t("my_data_erased") }));
      } catch (e) { said.className = "error"; said.textContent = e.status ? e.message : I.t("need_signal"); }
    } }, I.t("my_data_erase_sure"));
    box.replaceChildren(el("ul", {}, ...rows),
      el("button", { type: "button", onclick: () => { sure.hidden = false; sure.focus(); } }, I.t("my_data_erase")), sure, said,
      el("p", {}, el("a", { href: "privasi" }, I.t("privacy_link"))));
  }

  /* ---------- my reports: waiting on this phone, then what the API has for this device ---------- */
  let mineTurn = 0;
  async function showMine() {
    // drawn apart and shown whole by the latest call: the list is redrawn from several
    // places at once (the view, the sender, the service worker) and rows must not double
    const turn = ++mineTurn;
    const list = el("ul");
    const note = $("#mine-note");
    note.textContent = "";
    for (const item of await Outbox.waiting()) {
      if (item.kind !== "report") continue;
      const body = JSON.parse(item.body);
      const label = state.labels.find((l) => l.code === body.label);
      const failed = item.state === "failed";
      const row = el("li", { class: "panel card" },
        el("p", {}, el("strong", { text: label ? `${label.icon} ${I.name(label)}` : body.label }), " ",
          el("span", { class: `status-pill ${failed ? "failed" : "pending"}`, text: I.t(failed ? "failed" : "pending") })),
        el("p", { class: "muted", text: I.wib(item.created_at) }));
      if (failed) {
        row.append(el("p", { class: "error", text: item.error.message }),
          el("button", { type: "button", onclick: async () => { await Outbox.retry(item.id); await sendWaiting(); await showMine(); } }, I.t("retry")), " ",
          el("button", { type: "button", onclick: async () => { await Outbox.remove(item.id); await showMine(); } }, I.t("remove")));
      }
      list.append(row);
    }
    let mine = null;
    const token = await Outbox.kvGet("device_token");
    if (token && navigator.onLine) {
      try {
        mine = (await api("devices/reports", { headers: { "X-Device-Token": token } })).items;
        await Outbox.kvSet("mine_cache", mine);
      } catch (e) { mine = null; }
    }
    if (mine === null) {
      mine = (await Outbox.kvGet("mine_cache")) || [];
      if (mine.length && !navigator.onLine) note.textContent = I.t("mine_offline");
    }
    for (const report of mine) {
      const overdue = ["submitted", "reopened"].includes(report.status) && new Date(report.sla_due_at) < new Date();
      list.append(el("li", { class: "panel card" },
        el("p", {}, el("a", { href: `#laporan/${report.id}`, class: "code-link" }, report.code), " · ", el("strong", { text: I.name(report.label) })),
        el("p", {}, el("span", { class: `status-pill${["resolved", "closed"].includes(report.status) ? " done" : ""}`, text: statusWords(report.status) }),
          " ", el("span", { class: "muted", text: I.name(report.handled_by) })),
        el("p", { class: overdue ? "error" : "muted", text: I.t("deadline", { when: I.wib(report.sla_due_at) }) + (overdue ? ` (${I.t("late")})` : "") })));
    }
    if (turn !== mineTurn) return;
    $("#mine").replaceChildren(...list.children);
    if (!$("#mine").children.length) note.textContent = I.t("mine_empty");
  }
  async function showDetail(id) {
    const box = $("#detail");
    box.replaceChildren(el("h2", { id: "detail-title", text: I.t("loading") }));
    let report;
    // with this phone's token the report shows what the squad asked this reporter alone
    const token = await self.KawalReporter.token(id);
    const headers = token ? { "X-Reporter-Token": token } : {};
    try { report = await api(`reports/${encodeURIComponent(id)}`, { headers }); } catch (e) {
      // one the command centre answers itself is not public: what this phone knows of it
      const mine = ((await Outbox.kvGet("mine_cache")) || []).find((r) => r.id === id);
      box.replaceChildren(...[
        el("h2", { id: "detail-title" }, mine ? el("span", { class: "code", text: mine.code }) : I.t(e.status === 404 ? "not_found" : "need_signal"),
          mine ? ` ${I.name(mine.label)}` : null),
        mine ? el("p", {}, el("span", { class: "status-pill", text: statusWords(mine.status) }), " ", I.name(mine.handled_by)) : null,
        mine && e.status === 404 ? el("p", { class: "muted", text: I.t("not_public") }) : null,
      ].filter(Boolean));
      return;
    }
    const photo = (role) => report.photos.filter((p) => p.role === role && p.state === "ready" && p.thumb_url)[0];
    const figure = (p, caption) => p && el("figure", { class: "photo" },
      el("img", { src: p.display_url || p.thumb_url, alt: `${caption}: ${I.name(report.label)}`, width: p.width || 320, height: p.height || 240, loading: "lazy" }),
      el("figcaption", { text: caption }));
    const before = figure(photo("before"), I.t("before"));
    const after = figure(photo("after"), I.t("after"));
    const steps = el("ol", { class: "timeline" });
    for (const step of report.timeline) {
      const words = step.action === "rate" ? I.t("step_rate", { stars: step.stars })
        : ["ask", "answer"].includes(step.action) ? I.t(`step_${step.action}`) : statusWords(step.status);
      steps.append(el("li", {}, el("time", { datetime: step.at, text: I.wib(step.at) }), ` ${words}`, step.note ? el("div", { class: "muted", text: step.note }) : null));
    }
    box.replaceChildren(...[
      el("h2", { id: "detail-title" }, el("span", { class: "code", text: report.code }), " ", I.name(report.label)),
      el("p", {}, el("span", { class: "status-pill", text: statusWords(report.status) }), " ", I.name(report.handled_by)),
      el("p", { class: "muted", text: I.t("deadline", { when: I.wib(report.sla_due_at) }) }),
      report.supporters ? el("p", { class: "muted", text: I.t("supporters", { n: report.supporters }) }) : null,
      report.description ? el("p", { text: report.description }) : null,
      before || after ? el("div", { class: "photos" }, before, after) : null,
      el("h3", { text: I.t("timeline") }), steps,
    ].filter(Boolean));
    if (!token) return;
    const boxes = self.KawalReporter.boxes(API, report, token, () => showDetail(report.id));
    // the squad's question comes first: it is what the reporter is here for
    if (boxes.question) box.querySelector("h3").before(boxes.question);
    box.append(...boxes.after);
  }

  /* ---------- views by the address's #fragment ---------- */
  function route() {
    const hash = location.hash || "#lapor";
    const detail = hash.match(/^#laporan\/([\w-]+)$/);
    const view = detail ? "laporan" : hash === "#saya" ? "saya" : "lapor";
    for (const name of ["lapor", "saya", "laporan"]) $(`#view-${name}`).hidden = name !== view;
    for (const [id, active] of [["#nav-lapor", view === "lapor"], ["#nav-saya", view !== "lapor"]]) {
      if (active) $(id).setAttribute("aria-current", "page");
      else $(id).removeAttribute("aria-current");
    }
    if (view === "saya") showMine();
    if (detail) showDetail(detail[1]);
  }

  /* ---------- start ---------- */
  function loadCatalogue() {
    // in the page itself (settings): the grid and the kecamatan list are already drawn
    state.labels = settings.labels;
    state.districts = settings.districts;
    fillVillages();
    return Promise.resolve();
  }
  function applyLanguage() {
    I.apply();
    const button = $("#lang");
    button.textContent = I.lang === "en" ? "Bahasa Indonesia" : "English";
    button.lang = I.lang === "en" ? "id" : "en";
    button.setAttribute("aria-label", I.t("lang_switch"));
    if (I.lang !== state.drawnIn) renderLabels(); // the page came drawn in Bahasa
    if (state.label) chooseLabel(state.label);
    showWhere();
  }
  function online() {
    $("#offline").hidden = navigator.onLine;
    // a place guessed offline: ask the server now (borders, the outline)
    if (navigator.onLine && state.place && state.place.pending) { state.place = null; showWhere(); }
    sendWaiting();
  }

  $("#labels").addEventListener("click", (e) => {
    const button = e.target.closest("button.label");
    if (!button) return;
    chooseLabel(button.dataset.code);
    // the rest (where, then Kirim) is below 27 labels: bring it into view
    $("#label-chosen").scrollIntoView({ block: "start", behavior: "smooth" });
  });
  $("#photo").addEventListener("change", takePhoto);
  $("#gallery").addEventListener("change", takePhoto);
  $("#gps").addEventListener("click", () => askGps(true));
  $("#district").addEventListener("change", (e) => { state.district = e.target.value || null; fillVillages(); showWhere(); checkNearby(); });
  $("#village").addEventListener("change", () => showPlace(where()));
  $("#report-form").addEventListener("submit", submit);
  $("#again").addEventListener("click", () => {
    state.current = null;
    $("#outcome").hidden = true;
    $("#share-said").textContent = "";
    $("#report-form").hidden = false;
    $("#photo").focus();
  });
  /* the code to keep: copied for a note or a chat, or shared with the follow link */
  async function copyCode() {
    const code = $("#outcome-code").textContent;
    const said = $("#share-said");
    try {
      await navigator.clipboard.writeText(code);
      said.textContent = I.t("copied", { code });
    } catch (e) { // no clipboard here: the code selected, for the phone's own copy
      getSelection().selectAllChildren($("#outcome-code"));
    }
  }
  function shareCode() {
    const code = $("#outcome-code").textContent;
    navigator.share({ title: "Kawal Trenggalek", text: I.t("share_text", { code }), url: $("#outcome-follow").href })
      .catch(() => {}); // closed without sharing
  }
  $("#copy-code").addEventListener("click", copyCode);
  $("#share-code").addEventListener("click", shareCode);
  $("#lang").addEventListener("click", () => { I.set(I.lang === "en" ? "id" : "en"); applyLanguage(); route(); });
  $("#push-on").addEventListener("click", async () => {
    const token = await Outbox.kvGet("device_token");
    const note = $("#mine-note");
    if (!token) { note.textContent = I.t("my_data_none"); return; }
    try {
      const on = await Kit.enablePush(API, "push/subscriptions", { "X-Device-Token": token });
      note.textContent = I.t(on ? "push_done" : "push_refused");
      if (on) $("#push-on").hidden = true;
    } catch (e) { note.textContent = I.t("need_signal"); }
  });
  $("#push-on").hidden = !Kit.pushOffered();
  $("#my-data").addEventListener("toggle", () => { if ($("#my-data").open) showMyData(); });
  addEventListener("hashchange", route);
  addEventListener("online", online);
  addEventListener("offline", online);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) sendWaiting(); });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("sw.js").catch(() => {});
    navigator.serviceWorker.addEventListener("message", (e) => { if (e.data === "outbox") refreshViews(); });
  }
  loadCatalogue().then(() => {
    applyLanguage();
    route();
    online();
  });
})();
