// Kawal command centre: reads the same APIs as every client; no build. The map is map.js (Leaflet).
"use strict";

const SETTINGS = JSON.parse(document.getElementById("settings").textContent);
const BASE = location.pathname.replace(/command-centre\/?$/, "");
const OPEN = ["submitted", "accepted", "in_progress", "reopened", "awaiting_info"];
const TEXT = {
  id: {
    title: "Pusat Komando", signIn: "Masuk", signOut: "Keluar", username: "Nama pengguna",
    password: "Kata sandi", denied: "Halaman ini hanya untuk Pusat Komando.",
    squad: "Tim", label: "Jenis", district: "Kecamatan", status: "Status", all: "Semua", approx: "perkiraan",
    overdue: "Terlambat", rankSquads: "Peringkat tim (tepat waktu)",
    rankMembers: "Peringkat anggota", mostOverdue: "Sepuluh laporan paling terlambat",
    backlog: "Terbuka", response: "Tanggapan pertama", resolution: "Penyelesaian",
    typically: "biasanya", nineInTen: "9 dari 10 dalam", onTime: "Tepat waktu", reopen: "Dibuka kembali", ratingAvg: "Nilai warga",
    days: "hari", legend: "Warna tim", slowest: "Anggota paling lambat (tepat waktu)", wallOn: "Layar besar menyala",
    membersJump: "Lihat semua anggota",
    trend: "30 hari: laporan masuk",
    computed: "dihitung", notYet: "belum dihitung", markers: "penanda",
    timeline: "Riwayat", before: "Sebelum", after: "Sesudah", noPhoto: "belum ada foto",
    position: "Posisi foto sesudah", far: "jauh dari laporan", near: "di lokasi",
    supporters: "Pendukung", mergedInto: "Digabung ke", duplicates: "Duplikat",
    hours: "jam", minutes: "mnt", language: "English", wrong: "Nama pengguna atau kata sandi salah",
    mfaSetup: "Akun ini wajib memakai verifikasi dua langkah. Pindai kode QR ini dengan aplikasi autentikator (Google Authenticator, Aegis…) atau ketik kuncinya, lalu masukkan kode 6 angka yang muncul.",
    mfaAsk: "Masukkan kode 6 angka dari aplikasi autentikator Anda.", mfaCode: "Kode 6 angka", mfaKey: "Kunci",
    mfaQr: "Kode QR untuk aplikasi autentikator", wrongCode: "Kode salah. Ketik kode yang tampil sekarang.",
    expired: "Waktu masuk habis. Silakan masuk lagi.",
    newPassText: "Ini kata sandi sementara. Buat kata sandi Anda sendiri (minimal 12 karakter, huruf besar, huruf kecil dan angka).",
    newPassword: "Kata sandi baru", newPasswordAgain: "Ulangi kata sandi baru", mismatch: "Kedua kata sandi tidak sama.",
    good: "Baik", warn: "Perlu perhatian", bad: "Buruk", noData: "belum ada data",
    noneOverdue: "Tidak ada laporan terlambat", reports: "laporan", deadline: "Batas tanggapan",
    late: "terlambat", excel: "Unduh CSV (Excel)", weekly: "Ringkasan mingguan (cetak)",
    wall: "Layar besar", density: "Kepadatan per kecamatan", zoomIn: "Perbesar peta", zoomOut: "Perkecil peta",
    someOverdue: "ada yang terlambat", zoomHere: "klik untuk melihat", noTiles: "Peta dasar tidak dapat dimuat: hanya kecamatan yang ditampilkan.",
    weeklyTitle: "Ringkasan mingguan Pusat Komando", list: "Daftar laporan terbuka", code: "Kode", received: "Masuk", print: "Cetak", close: "Tutup", member: "Anggota", accepted: "Diterima",
    membersTable: "Kinerja anggota (klik judul kolom untuk mengurutkan)", search: "Cari kode laporan", find: "Cari", notFound: "Laporan tidak ditemukan",
    roles: { citizen: "warga", squad: "petugas", command: "pusat komando", system: "sistem" },
    comment: "Tanggapan pelapor",
    steps: { comment: "Tanggapan pelapor", remind: "Teguran Pusat Komando", reassign: "Dialihkan", overdue: "Terlambat",
      ask: "Pertanyaan ke pelapor", answer: "Jawaban pelapor", transfer: "Dipindah antartim", prioritise: "Prioritas diubah", relocate: "Lokasi dikoreksi",
      rate: "Penilaian pelapor", withdraw: "Ditarik pelapor", forward: "Diteruskan ke instansi", settle: "Ditangani instansi",
      recall: "Dikembalikan instansi" },
    priority: "Prioritas", priorities: { urgent: "Mendesak", normal: "Biasa", low: "Rendah" }, rating: "Penilaian pelapor",
    transferTo: "Pindahkan ke tim", why: "Alasan (minimal 5 huruf)", transferGo: "Pindahkan", priorityGo: "Ubah prioritas",
    actions: "Tindakan Pusat Komando", remind: "Tegur tim", remindNote: "Pesan untuk tim (boleh kosong)",
    reassign: "Alihkan ke", reassignGo: "Alihkan", done: "Terkirim.", failed: "Gagal",
  },
  en: {
    title: "Command Centre", signIn: "Sign in", signOut: "Sign out", username: "Username",
    password: "Password", denied: "This page is for the command centre only.",
    squad: "Squad", label: "Label", district: "District", status: "Status", all: "All", approx: "approximate",
    overdue: "Overdue", rankSquads: "Squads by on-time share",
    rankMembers: "Members by on-time share", mostOverdue: "Ten most overdue reports",
    backlog: "Open", response: "First response", resolution: "Resolution",
    typically: "typically", nineInTen: "9 in 10 within", onTime: "On time", reopen: "Reopened", ratingAvg: "Citizens' rating",
    days: "d", legend: "Squad colours", slowest: "Slowest members (on time)", wallOn: "Wall display on",
    membersJump: "See every member",
    trend: "30 days: reports received",
    computed: "computed", notYet: "not computed yet", markers: "markers",
    timeline: "Timeline", before: "Before", after: "After", noPhoto: "no photo yet",
    position: "After-photo position", far: "far from the report", near: "on site",
    supporters: "Supporters", mergedInto: "Merged into", duplicates: "Duplicates",
    hours: "h", minutes: "min", language: "Bahasa Indonesia", wrong: "Wrong username or password",
    mfaSetup: "This account must use two-step sign-in. Scan this QR code with an authenticator app (Google Authenticator, Aegis…) or type its key, then enter the 6-digit code it shows.",
    mfaAsk: "Enter the 6-digit code from your authenticator app.", mfaCode: "6-digit code", mfaKey: "Key",
    mfaQr: "QR code for the authenticator app", wrongCode: "Wrong code. Type the code it shows now.",
    expired: "The sign-in timed out. Please sign in again.",
    newPassText: "This is a temporary password. Choose your own (at least 12 characters, upper and lower case and a digit).",
    newPassword: "New password", newPasswordAgain: "New password again", mismatch: "The two passwords differ.",
    good: "Good", warn: "Needs attention", bad: "Poor", noData: "no data yet",
    noneOverdue: "No overdue reports", reports: "reports", deadline: "Response due",
    late: "late", excel: "Download CSV (Excel)", weekly: "Weekly summary (print)",
    wall: "Wall display", density: "Density by district", zoomIn: "Zoom in", zoomOut: "Zoom out",
    someOverdue: "some overdue", zoomHere: "click to see them", noTiles: "The base map could not be loaded: showing the districts only.",
    weeklyTitle: "Command centre weekly summary", list: "Open reports", code: "Code", received: "Received", print: "Print", close: "Close", member: "Member", accepted: "Accepted",
    membersTable: "Members' performance (click a column's title to sort)", search: "Find a report code", find: "Find", notFound: "Report not found",
    roles: { citizen: "citizen", squad: "squad", command: "command centre", system: "system" },
    comment: "The reporter adds",
    steps: { comment: "The reporter adds", remind: "Reminder", reassign: "Handed over", overdue: "Late",
      ask: "Asked the reporter", answer: "The reporter answered", transfer: "Moved between squads", prioritise: "Priority changed", relocate: "Place corrected",
      rate: "The reporter's rating", withdraw: "Withdrawn by the reporter", forward: "Forwarded to an outside body",
      settle: "Handled by the body", recall: "Returned by the body" },
    priority: "Priority", priorities: { urgent: "Urgent", normal: "Normal", low: "Low" }, rating: "The reporter's rating",
    transferTo: "Move to the squad", why: "Why (at least 5 letters)", transferGo: "Move", priorityGo: "Change the priority",
    actions: "Command centre actions", remind: "Remind the squad", remindNote: "Message for the squad (optional)",
    reassign: "Hand over to", reassignGo: "Hand over", done: "Sent.", failed: "Failed",
  },
};

const state = {
  lang: localStorage.getItem("kawal.lang") || "id",
  token: "", // in memory only: a reload renews it from the sign-in's HttpOnly cookie (renew)
  stats: null, labels: [], districts: [], squads: [], reports: [],
  filter: { squad: "", label: "", district: "", status: "" },
  map: null, timer: null,
  sort: { key: "on_time", up: true }, // the members' table: worst on-time share first
  density: false, wall: null,
  mfa: null, // the sign-in's second step: { session } (the code) or { setup: true } (enrol)
  newPassword: null, // a temporary password's step: { session } to choose one's own
};
const t = (key) => TEXT[state.lang][key] ?? key;
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    // CSSOM, not a style attribute: the page's CSP allows no inline styles
    else if (k === "style") for (const [name, value] of Object.entries(v)) node.style.setProperty(name, value);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(tag, attrs = {}) { // the sparklines
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

async function api(path, options = {}) {
  const call = () => {
    const headers = { ...(options.headers || {}) };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    return fetch(BASE + path, { ...options, headers });
  };
  let response = await call();
  // the access token lasts an hour; the wall display runs all day
  if (response.status === 401 && state.token && (await renew())) response = await call();
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  return { status: response.status, body };
}

// ---- sign-in ----------------------------------------------------------------
// The password, then (command centre and operators) the authenticator app's code: a
// first sign-in enrols the app from a QR code drawn in this page (shared/qr.js).
async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const who = { username: form.get("username"), password: form.get("password") };
  const step = state.mfa, change = state.newPassword;
  if (change && form.get("new_password") !== form.get("new_password_2")) { $("signin-error").textContent = t("mismatch"); return; }
  const [path, body] = change ? ["auth/new-password", { username: who.username, session: change.session, new_password: form.get("new_password") }]
    : !step ? ["auth/sign-in", who]
    : step.session ? ["auth/mfa", { username: who.username, session: step.session, code: form.get("code") }]
    : ["auth/mfa-setup", { ...who, code: form.get("code") }];
  const answer = await api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const error = answer.body?.error || {};
  if (error.code === "password_change_required") { newPasswordStep(error.details[0]); return; }
  if (change && (answer.status === 200 || error.code?.startsWith("mfa_"))) {
    // the password is one's own now: an enrolment signs in again with it
    $("signin").elements.password.value = form.get("new_password");
    newPasswordStep(null);
  }
  if (error.code === "mfa_required" || error.code === "mfa_setup_required") {
    secondStep(error.details[0]);
    return;
  }
  if (change && answer.status === 401) newPasswordStep(null); // the session timed out: from the start
  if (answer.status !== 200) {
    const expired = (step || change) && answer.status === 401 && error.code !== "wrong_code";
    if (expired) secondStep(null);
    $("signin-error").textContent = error.code === "wrong_code" ? t("wrongCode")
      : expired ? t("expired") : answer.status === 401 ? t("wrong") : error.message;
    if (error.code === "wrong_code") { $("mfa-code").value = ""; $("mfa-code").focus(); }
    return;
  }
  secondStep(null);
  state.token = answer.body.access_token;
  await start();
}

function secondStep(challenge) {
  state.mfa = challenge && (challenge.session ? { session: challenge.session } : { setup: true });
  const setup = Boolean(challenge && challenge.secret);
  $("mfa-setup").hidden = !setup;
  $("mfa-ask").hidden = !challenge || setup;
  $("mfa-code-label").hidden = !challenge;
  $("mfa-code").required = Boolean(challenge);
  $("mfa-code").value = "";
  for (const name of ["username", "password"]) $("signin").elements[name].readOnly = Boolean(challenge);
  $("signin-error").textContent = "";
  $("mfa-qr").setAttribute("aria-label", t("mfaQr"));
  if (setup) {
    KawalQr.draw($("mfa-qr"), challenge.otpauth_uri); // eslint-disable-line no-undef
    $("mfa-secret").textContent = KawalQr.grouped(challenge.secret); // eslint-disable-line no-undef
  } else { $("mfa-qr").replaceChildren(); $("mfa-secret").textContent = ""; }
  if (challenge) $("mfa-code").focus();
}

/* A first sign-in (or one after an operator's reset) with a temporary password: choose
   one's own, then the second factor as usual. */
function newPasswordStep(challenge) {
  state.newPassword = challenge && { session: challenge.session };
  $("newpass").hidden = !challenge;
  for (const name of ["new_password", "new_password_2"]) {
    const input = $("signin").elements[name];
    input.required = Boolean(challenge);
    input.value = "";
  }
  for (const name of ["username", "password"]) $("signin").elements[name].readOnly = Boolean(challenge);
  $("signin-error").textContent = "";
  if (challenge) $("new-password").focus();
}

/* Staying signed in across a reload or a reboot of the wall's display, as Tim does: the
   sign-in set an HttpOnly refresh cookie (no script reads it) and a hint cookie saying so. */
async function renew() {
  if (!document.cookie.split(";").some((c) => c.trim() === "kawal_staff=1")) return false;
  const answer = await fetch(BASE + "auth/refresh", { method: "POST" }).catch(() => null);
  if (!answer?.ok) return false;
  state.token = (await answer.json()).access_token;
  return true;
}

async function signOut() {
  // revokes the refresh token and clears the cookies: the next reload asks again
  await fetch(BASE + "auth/sign-out", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } }).catch(() => {});
  state.token = "";
  clearInterval(state.timer);
  show("signin");
}

function show(which) {
  $("signin").hidden = which !== "signin";
  $("denied").hidden = which !== "denied";
  $("board").hidden = which !== "board";
  $("signout").hidden = which === "signin";
}

// ---- data ---------------------------------------------------------------------
async function loadOpenReports(squads) {
  const all = [];
  for (const squad of squads) {
    let cursor = "";
    do {
      const q = `squads/${squad.code}/reports?limit=100` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
      const answer = await api(q);
      if (answer.status !== 200) return null;
      for (const item of answer.body.items) all.push({ ...item, squad: squad.code });
      cursor = answer.body.next_cursor;
    } while (cursor);
  }
  return all;
}

async function refresh() {
  const stats = await api("stats?window=30d");
  if (stats.status === 401 || stats.status === 403) {
    show(state.token ? "denied" : "signin");
    return false;
  }
  if (stats.status !== 200) return false;
  const reports = await loadOpenReports(stats.body.squads);
  if (reports === null) { show("denied"); return false; }
  state.stats = stats.body;
  state.squads = stats.body.squads;
  state.reports = reports;
  render();
  return true;
}

async function start() {
  if (!state.token && !(await renew())) { show("signin"); return; }
  state.labels = (await api("labels")).body || [];
  state.districts = SETTINGS.districts;
  if (!(await refresh())) return;
  show("board");
  state.map.reset();
  let kept = false;
  try { kept = localStorage.getItem("kawal.wall") === "1"; } catch (e) { /* private mode */ }
  if (kept && !document.body.classList.contains("wall")) wall(true);
  clearInterval(state.timer);
  state.timer = setInterval(refresh, SETTINGS.refreshSeconds * 1000);
}

// ---- rendering ----------------------------------------------------------------
function squadName(code) {
  const squad = state.squads.find((s) => s.code === code);
  return squad ? (state.lang === "id" ? squad.name_id : squad.name_en) : code;
}
const colour = (code) => state.squads.find((s) => s.code === code)?.colour || "#636e72";
const labelName = (code) => {
  const label = state.labels.find((l) => l.code === code);
  return label ? (state.lang === "id" ? label.name_id : label.name_en) : code;
};
const districtName = (code) => state.districts.find((d) => d.code === code)?.name || code || "—";
// a kecamatan guessed from the nearest centre says so
const placeName = (r) => `${districtName(r.district)}${r.district_approx ? ` (${t("approx")})` : ""}`;
/* one number format, the reader's (Indonesian: 133,1 jam; 1,96 ★; 42%) */
const locale = () => (state.lang === "id" ? "id-ID" : "en-GB");
const number = (x, digits = 1) => x.toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
const minutes = (m) => (m === null || m === undefined ? "—" : m >= 120 ? `${number(m / 60)} ${t("hours")}` : `${Math.round(m)} ${t("minutes")}`);
/* how late: days and hours ("42 hari 6 jam"), not 1014,4 jam */
function lateBy(hours) {
  const whole = Math.round(hours), days = Math.floor(whole / 24), rest = whole % 24;
  if (whole < 1) return `${Math.max(1, Math.round(hours * 60))} ${t("minutes")}`;
  return days ? `${days} ${t("days")}${rest ? ` ${rest} ${t("hours")}` : ""}` : `${rest} ${t("hours")}`;
}
/* the status in the citizen's own words (the same table as the citizen's pages) */
const statusWord = (code) => (SETTINGS.statuses[code] || [code, code])[state.lang === "id" ? 0 : 1];
const wib = (iso) => `${new Date(iso).toLocaleString(state.lang === "id" ? "id-ID" : "en-GB", { timeZone: "Asia/Jakarta", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })} WIB`;
/* how a squad stands against its SLA, by its on-time share (thresholds from the page's settings) */
function standing(onTime) {
  if (onTime === null || onTime === undefined) return "none";
  return onTime >= SETTINGS.onTimeGood ? "good" : onTime >= SETTINGS.onTimeWarn ? "warn" : "bad";
}
/* the system writes its notes in both languages ("… / …"): the reader's half */
const noteIn = (e) => (e.actor_role === "system" && e.note.includes(" / ") ? e.note.split(" / ")[state.lang === "id" ? 0 : 1] : e.note);
const share = (s) => (s === null || s === undefined ? "—" : s.toLocaleString(locale(), { style: "percent" }));
const stars = (f) => (f.rating_average == null ? "—" : `${number(f.rating_average, 2)} ★ (${f.rated})`);
/* worst first, everywhere: the lowest on-time share; nothing known yet, last */
const worstFirst = (get) => (a, b) => {
  const x = get(a), y = get(b);
  if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
  return y === null || y === undefined ? -1 : x - y;
};

function visibleReports() {
  const f = state.filter;
  return state.reports.filter((r) =>
    (!f.squad || r.squad === f.squad) && (!f.label || r.label === f.label) &&
    (!f.district || r.district === f.district) && (!f.status || r.status === f.status));
}

function fillSelect(id, options, current) {
  const select = $(id);
  select.replaceChildren(el("option", { value: "" }, t("all")),
    ...options.map(([value, text]) => el("option", { value, ...(value === current ? { selected: "" } : {}) }, text)));
}

function render() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").textContent = t("language");
  $("drawer-close").setAttribute("aria-label", t("close"));
  const s = state.stats;
  $("computed").textContent = s.computed_at ? `${t("computed")} ${wib(s.computed_at)}` : t("notYet");
  $("computed").dataset.computedAt = s.computed_at || "";
  fillSelect("f-squad", state.squads.map((q) => [q.code, squadName(q.code)]), state.filter.squad);
  fillSelect("f-label", state.labels.map((l) => [l.code, labelName(l.code)]), state.filter.label);
  fillSelect("f-district", state.districts.map((d) => [d.code, d.name]), state.filter.district);
  fillSelect("f-status", OPEN.map((x) => [x, statusWord(x)]), state.filter.status);
  // which colour is which squad: the markers, the clusters' rings, the cards, the lists
  $("squad-legend").setAttribute("aria-label", t("legend"));
  $("squad-legend").replaceChildren(...state.squads.map((q) => el("li", { "data-squad": q.code },
    el("span", { class: "chip", "aria-hidden": "true", style: { "--squad": q.colour } }), squadName(q.code))));
  renderCards();
  renderMap();
  renderRankings();
}

function metric(name, label, value, text) {
  return el("div", { class: "metric", "data-metric": name, "data-value": value ?? "" },
    el("span", { class: "metric-label" }, label), el("strong", {}, text));
}

function sparkline(points) {
  const w = 120, h = 28, max = Math.max(1, ...points.map((p) => p.received));
  const path = points.map((p, i) => `${i ? "L" : "M"}${(i / Math.max(1, points.length - 1)) * w},${h - (p.received / max) * h}`).join(" ");
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "spark", role: "img", "aria-label": t("trend") });
  chart.append(svg("path", { d: path }));
  return chart;
}

function renderCards() {
  const s = state.stats;
  const onTime = (q) => ((s.figures[`squad#${q.code}`] || {}).time_to_first_response || {}).within_sla_share;
  const overdue = (q) => (s.backlog[`squad#${q.code}`] || {}).overdue || 0;
  // worst first: the lowest on-time share, then the most overdue; squads with no data last
  const order = [...state.squads].sort((a, b) => {
    const x = onTime(a), y = onTime(b);
    if ((x ?? null) === null || (y ?? null) === null) return (x ?? null) === null ? 1 : -1;
    return x - y || overdue(b) - overdue(a);
  });
  const cards = order.filter((q) => !state.filter.squad || q.code === state.filter.squad).map((q) => {
    const f = s.figures[`squad#${q.code}`] || {};
    const b = s.backlog[`squad#${q.code}`] || {};
    const r = f.time_to_first_response || {}, z = f.time_to_resolution || {};
    const trend = (s.trends || {})[`squad#${q.code}`] || [];
    const stand = standing(r.within_sla_share);
    return el("article", { class: `card panel ${stand}`, "data-squad": q.code, "data-standing": stand, style: { "--squad": q.colour } },
      el("h3", {}, el("span", { class: "chip", "aria-hidden": "true" }), squadName(q.code), " ",
        el("span", { class: `standing ${stand}` }, stand === "none" ? t("noData") : t(stand))),
      el("div", { class: "metrics" },
        metric("backlog", t("backlog"), b.open ?? 0, b.open ?? 0),
        metric("overdue", t("overdue"), b.overdue ?? 0, b.overdue ?? 0),
        metric("response_median", `${t("response")} ${t("typically")}`, r.median_minutes, minutes(r.median_minutes)),
        metric("response_p90", `${t("response")}: ${t("nineInTen")}`, r.p90_minutes, minutes(r.p90_minutes)),
        metric("resolution_median", `${t("resolution")} ${t("typically")}`, z.median_minutes, minutes(z.median_minutes)),
        metric("resolution_p90", `${t("resolution")}: ${t("nineInTen")}`, z.p90_minutes, minutes(z.p90_minutes)),
        metric("on_time", t("onTime"), r.within_sla_share, share(r.within_sla_share)),
        metric("reopen_rate", t("reopen"), f.reopen_rate, share(f.reopen_rate)),
        metric("rating", t("ratingAvg"), f.rating_average, stars(f)),
        // more figures as the server describes them (only the command centre's view has any)
        ...(s.extra_metrics || []).map((m) =>
          metric(m.metric, state.lang === "id" ? m.name_id : m.name_en, f[m.field], share(f[m.field])))),
      el("div", { class: "trend" }, el("span", { class: "metric-label" }, t("trend")), sparkline(trend)));
  });
  $("cards").replaceChildren(...cards);
}

function renderRankings() {
  const s = state.stats;
  const row = (r, name) => el("li", {}, `${name} — `,
    r.on_time_share === null || r.on_time_share === undefined ? t("noData") : `${share(r.on_time_share)} (${r.accepted} ${t("reports")})`);
  const squads = [...(s.rankings?.squads || [])].sort(worstFirst((r) => r.on_time_share));
  $("rank-squads").replaceChildren(...squads.map((r) => row(r, squadName(r.name))));
  renderMembers();
  const late = s.most_overdue || [];
  $("overdue").replaceChildren(...(late.length ? late.map((r) =>
    el("li", {}, el("button", { type: "button", class: "link", "data-report": r.id, "data-squad": r.squad, onclick: () => openDrawer(r.id) },
      el("span", { class: "chip", "aria-hidden": "true", style: { "--squad": colour(r.squad) } }),
      el("strong", {}, squadName(r.squad)), ` · ${r.code} · ${labelName(r.label)} · ${districtName(r.district)} · `,
      el("strong", { class: "error", "data-field": "late" }, `${t("late")} ${lateBy(r.overdue_hours)}`))))
    : [el("li", { class: "muted none" }, t("noneOverdue"))]));
  // the members whose squads' reports wait longest for them: on the first screen
  const slowest = members().filter((m) => m.f.time_to_first_response?.within_sla_share != null)
    .sort(worstFirst((m) => m.f.time_to_first_response.within_sla_share)).slice(0, 3);
  $("slowest").replaceChildren(...slowest.map((m) => el("li", { "data-member": `${m.squad}#${m.name}` },
    el("span", { class: "chip", "aria-hidden": "true", style: { "--squad": colour(m.squad) } }),
    `${m.name} (${squadName(m.squad)}) — ${share(m.f.time_to_first_response.within_sla_share)}`)));
}

/* the squads' members (staff who are no squad's members have no figures here) */
function members() {
  return Object.entries(state.stats.figures).filter(([dim]) => dim.startsWith("member#")).map(([dim, f]) => {
    const [, squad, name] = dim.split("#");
    return { squad, name, f };
  }).filter((m) => !state.filter.squad || m.squad === state.filter.squad);
}

/* Every member's figures in one table the regent can sort: who to talk to, who to replace. */
const DOWN = "down"; // a column whose worst is its largest value
function renderMembers() {
  const s = state.stats;
  const columns = [
    ["member", t("member"), (m) => m.name], ["squad", t("squad"), (m) => squadName(m.squad)],
    ["accepted", t("accepted"), (m) => m.f.accepted ?? 0],
    ["on_time", t("onTime"), (m) => m.f.time_to_first_response?.within_sla_share, share],
    ["response_median", `${t("response")} ${t("typically")}`, (m) => m.f.time_to_first_response?.median_minutes, minutes, DOWN],
    ["reopen_rate", t("reopen"), (m) => m.f.reopen_rate, share, DOWN],
    ["rating", t("ratingAvg"), (m) => m.f.rating_average, (v, m) => stars(m.f)],
    ...(s.extra_metrics || []).map((x) => [x.metric, state.lang === "id" ? x.name_id : x.name_en, (m) => m.f[x.field], share, DOWN]),
  ];
  const shown = members();
  const [key, , value] = columns.find((c) => c[0] === state.sort.key) || columns[3];
  shown.sort((a, b) => {
    const x = value(a), y = value(b);
    if (x === null || x === undefined) return 1; // no data yet: last, whichever way
    if (y === null || y === undefined) return -1;
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return state.sort.up ? order : -order;
  });
  const head = el("tr", {}, ...columns.map(([name, title]) => {
    const sorted = name === key;
    return el("th", { scope: "col", "aria-sort": sorted ? (state.sort.up ? "ascending" : "descending") : "none" },
      el("button", { type: "button", class: "link", "data-sort": name, onclick: () => {
        // the first click: the worst first (the least on time, the slowest, the most reopened)
        const worstUp = columns.find((c) => c[0] === name)[4] !== DOWN;
        state.sort = { key: name, up: sorted ? !state.sort.up : worstUp };
        renderMembers();
      } }, title, sorted ? (state.sort.up ? " ▲" : " ▼") : ""));
  }));
  const rows = shown.map((m) => el("tr", { "data-member": `${m.squad}#${m.name}` }, ...columns.map(([name, , get, show]) => {
    const v = get(m);
    return el("td", { "data-column": name, "data-value": v ?? "" }, show ? (v === null || v === undefined ? t("noData") : show(v, m)) : v);
  })));
  $("members").replaceChildren(el("caption", { id: "members-caption" }, t("membersTable")), el("thead", {}, head), el("tbody", {}, ...rows));
}

/* The map (map.js, on Leaflet): made once, given the filtered reports on every render. */
function words() {
  return {
    zoomIn: t("zoomIn"), zoomOut: t("zoomOut"),
    marker: (r) => `${r.code} · ${labelName(r.label)} · ${statusWord(r.status)}${r.overdue ? ` · ${t("overdue")}` : ""}`,
    // which squads a cluster holds, most first: "12 laporan: Tim Merah 7, Tim Oranye 5"
    cluster: (n, late, bySquad) => `${n} ${t("reports")}: ${bySquad.map(([code, k]) => `${squadName(code)} ${k}`).join(", ")}` +
      `${late ? ` · ${t("someOverdue")}` : ""} — ${t("zoomHere")}`,
    density: (name, n) => `${name}: ${n} ${t("reports")}`,
  };
}

function renderMap() {
  if (!state.map) {
    state.map = CommandMap.create($("map"), {
      districts: state.districts, tileUrl: SETTINGS.tileUrl, tileAttribution: SETTINGS.tileAttribution,
      words, onOpen: openDrawer, colour,
      onTileError: () => { $("map-note").textContent = t("noTiles"); },
    });
    api("districts/outlines").then((answer) => answer.status === 200 && state.map.showOutlines(answer.body));
  }
  const shown = visibleReports();
  state.map.show(shown, state.density);
  renderList(shown);
  $("marker-count").textContent = `${shown.length} ${t("markers")}`;
  $("marker-count").dataset.count = shown.length;
}

/* the same reports as the map, as a list by deadline: the overdue first */
function renderList(shown) {
  const rows = [...shown].sort((a, b) => a.sla_due_at.localeCompare(b.sla_due_at)).map((r) =>
    el("tr", { "data-report": r.id, class: r.overdue ? "late" : "" },
      el("td", {}, el("button", { type: "button", class: "link", onclick: () => openDrawer(r.id) }, r.code)),
      el("td", {}, labelName(r.label)), el("td", {}, squadName(r.squad)), el("td", {}, placeName(r)),
      el("td", {}, statusWord(r.status)),
      el("td", {}, wib(r.sla_due_at), r.overdue ? ` (${t("late")})` : "")));
  $("list-title").textContent = `${t("list")} (${shown.length})`;
  $("report-list").replaceChildren(
    el("thead", {}, el("tr", {}, ...[t("code"), t("label"), t("squad"), t("district"), t("status"), t("deadline")].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows));
}

// ---- the report drawer ----------------------------------------------------------
async function openDrawer(id) {
  const answer = await api(`staff/reports/${encodeURIComponent(id)}`);
  if (answer.status !== 200) return false;
  const r = answer.body;
  const photo = (role) => {
    const found = r.photos.filter((p) => p.role === role && p.display_url);
    return el("figure", { class: "photo", "data-role": role },
      found.length ? el("img", { src: found[found.length - 1].display_url, alt: t(role) }) : el("span", { class: "muted" }, t("noPhoto")),
      el("figcaption", {}, t(role)));
  };
  const distance = r.after_photo_distance_m;
  $("drawer-body").replaceChildren(
    el("h2", {}, `${r.code} · ${labelName(r.label.code)}`),
    el("p", {}, `${squadName(r.squad)} · ${placeName(r)} · ${statusWord(r.status)}${r.overdue ? ` · ${t("overdue")}` : ""}`),
    el("p", { "data-field": "deadline", class: r.late_minutes ? "error" : "" }, `${t("deadline")}: ${wib(r.sla_due_at)}`,
      // how late is the server's word (late_minutes: one meaning, as in Tim and the statistics)
      r.late_minutes ? ` (${t("late")} ${lateBy(r.late_minutes / 60)})` : ""),
    r.description ? el("p", { class: "muted" }, r.description) : "",
    el("div", { class: "photos" }, photo("before"), photo("after")),
    el("p", { "data-field": "position" }, `${t("position")}: `,
      distance === null || distance === undefined ? "—" : `${Math.round(distance)} m (${r.after_photo_far ? t("far") : t("near")})`),
    el("p", { "data-field": "supporters" }, `${t("supporters")}: ${r.supporters}`),
    el("p", { "data-field": "priority" }, `${t("priority")}: ${TEXT[state.lang].priorities[r.priority] || r.priority}`),
    r.rating ? el("p", { "data-field": "rating" }, `${t("rating")}: ${"★".repeat(r.rating)}${"☆".repeat(5 - r.rating)} (${r.rating}/5)`) : "",
    r.merged_into ? el("p", {}, `${t("mergedInto")}: ${r.merged_into}`) : "",
    el("p", { "data-field": "duplicates" }, `${t("duplicates")}: `,
      r.duplicates.length ? r.duplicates.map((d) => d.code || d.id).join(", ") : "—"),
    el("h3", {}, t("timeline")),
    el("ol", { class: "timeline" }, ...r.staff_timeline.map((e) =>
      el("li", {}, `${wib(e.at)} — ${TEXT[state.lang].steps[e.action] || statusWord(e.to_status)} (${e.actor_id || TEXT[state.lang].roles[e.actor_role] || e.actor_role})${e.note ? `: ${noteIn(e)}` : ""}`))),
  );
  $("drawer-body").append(drawerActions(r));
  $("drawer").hidden = false;
  return true;
}

/* What the command centre may do to a report: remind its squad (open reports), hand a
   report being worked to another member of the squad (from the statistics), move it,
   change its priority, and whatever else the API says it may ask of others (`asks`: their
   words come with the report, after sign-in, so this file names none of them). */
function drawerActions(r) {
  const box = el("section", { "data-field": "actions", "aria-labelledby": "actions-title" },
    el("h3", { id: "actions-title" }, t("actions")));
  const said = el("p", { role: "status", class: "muted" });
  const post = async (path, body) => {
    const answer = await api(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (answer.status === 200) { await openDrawer(r.id); $("drawer-body").querySelector("[data-field=actions] [role=status]").textContent = t("done"); }
    else said.textContent = `${t("failed")}: ${answer.body?.error?.message || answer.status}`;
  };
  const act = (path, body, root = "command/reports") => post(`${root}/${encodeURIComponent(r.id)}/${path}`, body);
  if (OPEN.includes(r.status)) {
    const note = el("input", { id: "remind-note", type: "text", maxlength: "300" });
    box.append(el("label", { for: "remind-note" }, t("remindNote")), note,
      el("button", { type: "button", id: "remind", onclick: () => act("reminders", { note: note.value.trim() || null }) }, t("remind")));
  }
  const members = Object.keys(state.stats?.figures || {})
    .filter((dim) => dim.startsWith(`member#${r.squad}#`)).map((dim) => dim.split("#")[2])
    .filter((m) => m !== r.assignee).sort();
  if (["accepted", "in_progress"].includes(r.status) && members.length) {
    const pick = el("select", { id: "reassign-member" }, ...members.map((m) => el("option", { value: m }, m)));
    box.append(el("label", { for: "reassign-member" }, t("reassign")), pick,
      el("button", { type: "button", id: "reassign", onclick: () => act("assignee", { member: pick.value }) }, t("reassignGo")));
  }
  if ((r.transfer_to || []).length) {  // the squads the API says it may go to
    const to = el("select", { id: "transfer-squad" }, ...r.transfer_to.map((code) => el("option", { value: code }, squadName(code))));
    const why = el("input", { id: "transfer-why", type: "text", maxlength: "300" });
    box.append(el("label", { for: "transfer-squad" }, t("transferTo")), to, el("label", { for: "transfer-why" }, t("why")), why,
      el("button", { type: "button", id: "transfer", onclick: () => act("transfer", { squad: to.value, reason: why.value.trim() }, "reports") }, t("transferGo")));
  }
  if (OPEN.includes(r.status)) {
    const level = el("select", { id: "priority-level" }, ...["urgent", "normal", "low"].filter((p) => p !== r.priority)
      .map((p) => el("option", { value: p }, TEXT[state.lang].priorities[p])));
    const why = el("input", { id: "priority-why", type: "text", maxlength: "300" });
    box.append(el("label", { for: "priority-level" }, t("priority")), level, el("label", { for: "priority-why" }, t("why")), why,
      el("button", { type: "button", id: "prioritise", onclick: () => act("priority", { priority: level.value, reason: why.value.trim() }, "reports") }, t("priorityGo")));
  }
  const words = (o, key) => o[`${key}_${state.lang}`] || o[`${key}_id`];
  (r.asks || []).forEach((ask, n) => {
    if (ask.asked_at) {
      box.append(el("p", { "data-field": "asked" }, `${words(ask, "asked")} ${wib(ask.asked_at)}`,
        ask.asked_note ? `: ${ask.asked_note}` : ""));
      return;
    }
    const note = el("input", { id: `ask-${n}-note`, type: "text", maxlength: "300" });
    box.append(el("label", { for: `ask-${n}-note` }, words(ask, "note_label")), note,
      el("button", { type: "button", id: `ask-${n}`, onclick: () => post(ask.path, { note: note.value.trim() || null }) }, words(ask, "title")));
  });
  box.append(said);
  return box.childElementCount > 2 ? box : "";
}

// ---- the figures for Excel (Indonesian settings: ';', decimal commas, a BOM) ----------
async function downloadExcel() {
  const response = await fetch(`${BASE}stats?window=30d&format=csv&sep=semicolon`, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) return;
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `kawal-statistik-30d.csv` });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- the weekly summary the regent prints -------------------------------------------
async function weekly() {
  const answer = await api("stats?window=7d");
  if (answer.status !== 200) return;
  const w = answer.body;
  const figure = (q) => w.figures[`squad#${q.code}`] || {};
  const onTime = (q) => figure(q).time_to_first_response?.within_sla_share;
  const order = [...state.squads].sort(worstFirst(onTime));
  const row = (q) => {
    const f = figure(q), r = f.time_to_first_response || {}, b = w.backlog[`squad#${q.code}`] || {};
    const stand = standing(r.within_sla_share);
    return el("tr", { "data-squad": q.code },
      el("th", { scope: "row" }, squadName(q.code)),
      el("td", { "data-column": "received" }, f.received ?? 0),
      el("td", { "data-column": "on_time", "data-value": r.within_sla_share ?? "" }, share(r.within_sla_share)),
      el("td", {}, minutes(r.median_minutes)),
      el("td", { "data-column": "overdue" }, b.overdue ?? 0),
      el("td", {}, share(f.reopen_rate)),
      el("td", {}, stand === "none" ? t("noData") : t(stand)));
  };
  const late = w.most_overdue || [];
  $("weekly-body").replaceChildren(
    el("h2", { id: "weekly-title" }, `${t("weeklyTitle")} · ${w.days ? `${w.days[0]} – ${w.days[w.days.length - 1]}` : ""}`),
    el("p", { class: "muted" }, `${t("computed")} ${w.computed_at ? wib(w.computed_at) : t("notYet")}`),
    el("table", { class: "weekly-table" },
      el("thead", {}, el("tr", {}, ...[t("squad"), t("received"), t("onTime"), `${t("response")} ${t("typically")}`, t("overdue"), t("reopen"), ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...order.map(row))),
    el("h3", {}, t("mostOverdue")),
    late.length ? el("ol", {}, ...late.map((r) => el("li", {}, `${squadName(r.squad)} · ${r.code} · ${labelName(r.label)} · ${districtName(r.district)} · ${t("late")} ${lateBy(r.overdue_hours)}`)))
      : el("p", {}, t("noneOverdue")));
  $("weekly").hidden = false;
  $("weekly").focus();
}

// ---- search by code ---------------------------------------------------------------
async function findReport(event) {
  event.preventDefault();
  const code = $("search-code").value.trim().toUpperCase();
  $("search-error").textContent = "";
  if (!code) return;
  if (!(await openDrawer(code))) $("search-error").textContent = t("notFound");
}

// ---- wiring ---------------------------------------------------------------------
$("search").addEventListener("submit", findReport);
$("excel").addEventListener("click", downloadExcel);
$("weekly-open").addEventListener("click", weekly);
$("density").addEventListener("change", (event) => { state.density = event.target.checked; renderMap(); });
/* the wall display (1920×1080 in the command room): large type, the panels in turn, each
   whole on the screen from its top; it says it is on, and this screen remembers it, so a
   reboot of the display comes back to the wall (signed in: see renew) */
const WALL_PANELS = ["map-panel", "cards", "rankings", "most-overdue"];
function wall(on) {
  document.body.classList.toggle("wall", on);
  document.documentElement.classList.toggle("wall", on); // rem-sized type grows too
  $("wall").setAttribute("aria-pressed", String(on));
  $("wall-on").hidden = !on;
  try { if (on) localStorage.setItem("kawal.wall", "1"); else localStorage.removeItem("kawal.wall"); } catch (e) { /* private mode */ }
  clearInterval(state.wall);
  let turn = 0;
  const next = () => {
    const now = turn % WALL_PANELS.length;
    WALL_PANELS.forEach((id, i) => { $(id).hidden = on && i !== now; });
    window.scrollTo(0, 0);
    for (const id of WALL_PANELS) $(id).scrollTop = 0;
    $("wall-on").textContent = `${t("wallOn")} · ${now + 1}/${WALL_PANELS.length}`;
    state.map?.reset(); // the map's size changes with the panels around it: fit the regency again
  };
  next();
  if (on) state.wall = setInterval(() => { turn += 1; next(); }, (SETTINGS.wallSeconds || 20) * 1000);
}
$("wall").addEventListener("click", () => wall(!document.body.classList.contains("wall")));
$("weekly-print").addEventListener("click", () => window.print());
$("weekly-close").addEventListener("click", () => ($("weekly").hidden = true));
$("signin").addEventListener("submit", signIn);
$("signout").addEventListener("click", signOut);
$("drawer-close").addEventListener("click", () => ($("drawer").hidden = true));
$("lang").addEventListener("click", () => {
  state.lang = state.lang === "id" ? "en" : "id";
  localStorage.setItem("kawal.lang", state.lang);
  if (state.stats) render();
  else for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
});
for (const key of ["squad", "label", "district", "status"]) {
  $(`f-${key}`).addEventListener("change", (event) => { state.filter[key] = event.target.value; render(); });
}
start();
