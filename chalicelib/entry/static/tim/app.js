/* Tim: a squad member's queue and follow-up, on their own phone, on a bad network.
   The access token lives in memory only (renewed from the HttpOnly cookie the sign-in
   set); every action goes through the outbox (IndexedDB) with the ids the API dedupes
   on, so an action or an after-photo made without signal is sent once, later. */
(function () {
  "use strict";
  const $ = (selector, scope) => (scope || document).querySelector(selector);
  const I = self.KawalI18n;
  const Outbox = self.KawalOutbox;
  const Kit = self.KawalKit;
  const el = Kit.el;
  const API = new URL("../", location.href);
  const settings = JSON.parse($("#settings").textContent);
  const MAX_SIDE = 1600;

  I.add({
    skip: ["Langsung ke isi", "Skip to content"],
    title: ["Kawal · Tim", "Kawal · Squads"],
    nav_queue: ["Antrean", "Queue"],
    nav_accounts: ["Akun tim", "Squad accounts"],
    accounts_title: ["Akun tim", "Squad accounts"],
    accounts_text: ["Anggota tim lupa kata sandi atau kehilangan HP? Ketik nama akunnya. Kata sandi sementara tampil sekali: sampaikan langsung atau lewat telepon.",
      "A squad member forgot their password or lost their phone? Type their account name. The temporary password shows once: pass it on in person or by phone."],
    account_username: ["Akun anggota tim", "The squad member's account"],
    reset_password: ["Atur ulang kata sandi", "Reset the password"],
    reset_mfa: ["Atur ulang verifikasi dua langkah", "Reset two-step sign-in"],
    temp_for: ["Kata sandi sementara untuk {user} (tampil sekali; saat masuk, ia membuat kata sandi baru):",
      "Temporary password for {user} (shown once; signing in, they choose a new one):"],
    mfa_reset_done: ["Verifikasi dua langkah {user} dimatikan; saat masuk berikutnya ia mendaftarkan aplikasi baru.",
      "{user}'s two-step sign-in is off; their next sign-in enrols a new app."],
    no_account: ["Akun {user} tidak ditemukan.", "No account {user}."],
    copy: ["Salin", "Copy"],
    copied: ["Tersalin.", "Copied."],
    sign_out: ["Keluar", "Sign out"],
    lang_switch: ["Ganti bahasa ke English", "Switch language to Bahasa Indonesia"],
    offline: ["Tidak ada sinyal. Tindakan disimpan dan dikirim otomatis nanti.",
      "No signal. Actions are kept and sent automatically later."],
    pending: ["{n} tindakan menunggu sinyal.", "{n} actions waiting for signal."],
    signin_title: ["Masuk petugas", "Staff sign-in"],
    username: ["Nama pengguna", "Username"],
    password: ["Kata sandi", "Password"],
    signin: ["Masuk", "Sign in"],
    wrong: ["Nama pengguna atau kata sandi salah.", "Wrong username or password."],
    not_staff: ["Akun ini bukan akun petugas tim.", "This account is not a squad account."],
    newpass_text: ["Ini kata sandi sementara. Buat kata sandi Anda sendiri (minimal 12 karakter, huruf besar, huruf kecil dan angka).",
      "This is a temporary password. Choose your own (at least 12 characters, upper and lower case and a digit)."],
    new_password: ["Kata sandi baru", "New password"],
    new_password_again: ["Ulangi kata sandi baru", "New password again"],
    save_password: ["Simpan kata sandi", "Save password"],
    mismatch: ["Kedua kata sandi tidak sama.", "The two passwords differ."],
    forgot: ["Lupa kata sandi?", "Forgot your password?"],
    forgot_text: ["Hubungi operator Kawal. Operator memberi kata sandi sementara; saat masuk dengan kata sandi itu, Anda membuat kata sandi baru.",
      "Call the Kawal operator: they give you a temporary password, and signing in with it you choose a new one."],
    need_signal: ["Perlu sinyal untuk ini. Coba lagi nanti.", "This needs signal. Try again later."],
    mfa_ask: ["Kode 6 angka dari aplikasi autentikator", "6-digit code from your authenticator app"],
    wrong_code: ["Kode salah. Ketik kode yang tampil sekarang.", "Wrong code. Type the code it shows now."],
    expired: ["Waktu masuk habis. Silakan masuk lagi.", "The sign-in timed out. Please sign in again."],
    mfa_offer: ["Keamanan akun: verifikasi dua langkah", "Account security: two-step sign-in"],
    mfa_offer_text: ["Selain kata sandi, minta kode 6 angka dari aplikasi autentikator (Google Authenticator, Aegis…) setiap kali masuk. Jika HP hilang, hubungi operator.",
      "Besides the password, ask for a 6-digit code from an authenticator app (Google Authenticator, Aegis…) at every sign-in. If the phone is lost, call the operator."],
    mfa_start: ["Aktifkan", "Turn on"],
    mfa_scan: ["Pindai kode QR ini dengan aplikasi autentikator, atau ketik kuncinya:", "Scan this QR code with an authenticator app, or type its key:"],
    mfa_first: ["Kode 6 angka yang muncul di aplikasi", "The 6-digit code the app shows"],
    mfa_confirm: ["Konfirmasi", "Confirm"],
    mfa_done: ["Verifikasi dua langkah aktif: setiap kali masuk, aplikasi meminta kode.", "Two-step sign-in is on: every sign-in asks for the code."],
    queue_title: ["Antrean {squad}", "{squad} queue"],
    filter_district: ["Kecamatan", "District"],
    all_districts: ["Semua kecamatan", "All districts"],
    queue_empty: ["Tidak ada laporan terbuka. 👍", "No open reports. 👍"],
    queue_offline: ["Tanpa sinyal: antrean terakhir yang tersimpan.", "No signal: the last queue saved."],
    left: ["{t} lagi", "{t} left"],
    late: ["terlambat {t}", "{t} late"],
    minutes: ["{n} menit", "{n} min"],
    hours: ["{n} jam", "{n} h"],
    days: ["{n} hari", "{n} days"],
    due: ["batas {when}", "due {when}"],
    away: ["{d} dari Anda", "{d} from you"],
    supporters: ["{n} warga mendukung", "{n} people support it"],
    loading: ["Memuat…", "Loading…"],
    back: ["← Antrean", "← Queue"],
    not_found: ["Laporan tidak ditemukan.", "Report not found."],
    not_yours: ["Laporan ini ditangani tim lain.", "Another squad handles this report."],
    public_page: ["Lihat halaman publiknya", "See its public page"],
    reporter_comment: ["Tanggapan pelapor", "The reporter adds"],
    reminder: ["Teguran Pusat Komando", "The command centre's reminder"],
    reassigned: ["Dialihkan", "Handed over"],
    escalated: ["Terlambat, dilaporkan ke Pusat Komando", "Late, escalated to the command centre"],
    client_fields: ["Data dari aplikasi pelapor", "Data from the reporting app"],
    open_map: ["Buka di aplikasi peta", "Open in the maps app"],
    open_web_map: ["Buka di peta web", "Open in a web map"],
    timeline: ["Perjalanan laporan", "Timeline"],
    answers: ["Keterangan pelapor", "The reporter's answers"],
    before: ["Sebelum", "Before"],
    after: ["Sesudah", "After"],
    claim: ["Ambil", "Claim"],
    progress: ["Proses", "Start work"],
    note: ["Catatan (tidak wajib)", "Note (optional)"],
    after_photo: ["Foto sesudah", "After photo"],
    after_hint: ["Ambil dari sudut yang sama dengan foto sebelum.", "Take it from the same angle as the before photo."],
    after_ready: ["Foto sesudah siap dikirim.", "After photo ready to send."],
    need_gps: ["Lokasi diperlukan untuk foto sesudah: nyalakan GPS dan izinkan lokasi.",
      "The after photo needs your location: turn on GPS and allow location."],
    what_done: ["Apa yang dikerjakan", "What was done"],
    resolve: ["Selesai", "Resolve"],
    need_after: ["Ambil foto sesudah dulu, dan tulis apa yang dikerjakan (minimal 5 huruf).",
      "Take the after photo first and say what was done (at least 5 letters)."],
    reject: ["Tolak", "Reject"],
    reject_reason: ["Alasan penolakan", "Reason for rejecting"],
    queued: ["Disimpan; dikirim saat ada sinyal.", "Saved; sent when there is signal."],
    done: ["Terkirim.", "Sent."],
    refused: ["Ditolak: {message}", "Refused: {message}"],
    urgent: ["MENDESAK", "URGENT"],
    asked: ["Pertanyaan ke pelapor", "Asked the reporter"],
    answered: ["Jawaban pelapor", "The reporter answered"],
    transferred: ["Dialihkan dari tim {squad}", "Handed over by the {squad} squad"],
    prioritised: ["Prioritas diubah", "Priority changed"],
    approx: ["perkiraan", "approximate"],
    place: ["Ubah lokasi (kecamatan, desa)", "Correct the place (district, village)"],
    place_district: ["Kecamatan", "District"],
    place_village: ["Desa/kelurahan", "Village"],
    place_village_none: ["— tidak tahu —", "— not known —"],
    place_why: ["Keterangan (tidak wajib)", "Note (optional)"],
    place_send: ["Simpan lokasi", "Save the place"],
    relocated: ["Lokasi dikoreksi", "Place corrected"],
    rated: ["Penilaian pelapor: {stars} dari 5", "The reporter's rating: {stars} of 5"],
    ask: ["Tanya pelapor", "Ask the reporter"],
    ask_text: ["Pertanyaan (identitas pelapor tetap rahasia)", "Question (the reporter stays anonymous)"],
    ask_public: ["Tampilkan juga di halaman publik", "Also show it on the public page"],
    ask_send: ["Kirim pertanyaan", "Send the question"],
    waiting_answer: ["Menunggu jawaban pelapor; batas waktu berhenti sementara.", "Waiting for the reporter's answer; the deadline is paused."],
    transfer: ["Alihkan ke tim lain", "Hand to another squad"],
    transfer_to: ["Tim tujuan", "To the squad"],
    why: ["Alasan (minimal 5 huruf)", "Why (at least 5 letters)"],
    transfer_send: ["Alihkan", "Hand over"],
    priority: ["Ubah prioritas", "Change the priority"],
    priority_level: ["Prioritas", "Priority"],
    priority_send: ["Simpan prioritas", "Save the priority"],
    p_urgent: ["Mendesak", "Urgent"],
    p_normal: ["Biasa", "Normal"],
    p_low: ["Rendah", "Low"],
    need_words: ["Tulis alasannya dulu (minimal 5 huruf).", "Say why first (at least 5 letters)."],
    forward: ["Teruskan ke instansi lain", "Forward to an outside body"],
    forward_to: ["Instansi", "Body"],
    forward_note: ["Catatan untuk instansi (minimal 5 huruf)", "Note for the body (at least 5 letters)"],
    forward_send: ["Teruskan", "Forward"],
    forwarded_to: ["Diteruskan ke {body}", "Forwarded to {body}"],
    settle_note: ["Apa yang dilakukan instansi (minimal 5 huruf)", "What the body did (at least 5 letters)"],
    settle: ["Sudah ditangani instansi", "Handled by the body"],
    recall: ["Instansi menolak: kembali ke antrean", "The body declined: back to the queue"],
    step_forward: ["Diteruskan ke instansi", "Forwarded"],
    step_settle: ["Ditangani instansi", "Handled by the body"],
    step_recall: ["Dikembalikan instansi", "Returned by the body"],
    show: ["Tampilkan", "Show"],
    push_on: ["Terima notifikasi laporan di HP ini", "Get report notifications on this phone"],
    push_done: ["Notifikasi aktif. SMS tetap untuk laporan mendesak.", "Notifications on. SMS stays for urgent reports."],
    push_refused: ["Notifikasi tidak diizinkan di HP ini.", "Notifications are not allowed on this phone."],
    push_none: ["Akun ini tidak menerima notifikasi laporan.", "This account gets no report notifications."],
    show_open: ["Laporan terbuka", "Open reports"],
    show_forwarded: ["Diteruskan ke instansi", "Forwarded to outside bodies"],
    after_held: ["Foto sesudah sudah terkirim.", "The after photo is already sent."],
    more_loading: ["Memuat {n} laporan…", "Loading {n} reports…"],
    refused_title: ["Tindakan yang ditolak server", "Actions the server refused"],
    redo: ["Kirim lagi", "Send again"],
    drop: ["Buang", "Drop"],
    // why the API said no, in words (its own message is English: for the logs)
    why_illegal_transition: ["Status laporan sudah berubah ({status}); tindakan ini tidak berlaku lagi.",
      "The report's status changed ({status}); this action no longer applies."],
    why_changed_meanwhile: ["Orang lain mengubah laporan ini lebih dulu. Buka lagi laporannya.",
      "Someone else changed this report first. Open it again."],
    why_report_not_found: ["Laporan tidak ditemukan.", "Report not found."],
    why_forbidden: ["Laporan ini sudah bukan tugas tim Anda.", "This report is no longer your squad's."],
    why_after_photo_required: ["Foto sesudah belum ada: ambil foto sesudah dulu.", "No after photo yet: take it first."],
    why_report_not_in_progress: ["Laporan tidak sedang dikerjakan.", "The report is not being worked."],
    why_invalid: ["Isian tidak diterima. Betulkan lalu kirim ulang.", "The input was not accepted. Check it and send again."],
    why_other: ["Server menolak tindakan ini (kode {code}).", "The server refused this action (code {code})."],
  });

  const state = { me: null, queue: [], where: null, after: null };

  const api = async (path, options) => Kit.api(API, path, options, await Outbox.staffToken(API));
  const label = (code) => settings.labels.find((l) => l.code === code) || { code, name_id: code, name_en: code, icon: "📍", attributes: [] };
  const district = (code) => (settings.districts.find((d) => d.code === code) || { name: code || "" }).name;
  // a kecamatan only guessed from the nearest centre says so
  const place = (r) => {
    const v = r.village && (settings.villages || []).find((x) => x.code === r.village);
    const name = `${district(r.district)}${r.district_approx ? ` (${I.t("approx")})` : ""}`;
    return v ? `${name}, ${v.kind === "desa" ? "Desa" : "Kel."} ${v.name}` : name;
  };
  // steps that change no status, in words (else the status it stayed in)
  const STEP_WORDS = { comment: "reporter_comment", remind: "reminder", reassign: "reassigned", overdue: "escalated",
    ask: "asked", answer: "answered", prioritise: "prioritised", relocate: "relocated", forward: "step_forward", settle: "step_settle", recall: "step_recall" };
  const stepWords = (s) => s.action === "transfer" ? I.t("transferred", { squad: settings.squads[s.squad_from] || s.squad_from || "" })
    : s.action === "rate" ? I.t("rated", { stars: s.stars })
    : STEP_WORDS[s.action] ? I.t(STEP_WORDS[s.action]) : statusWords(s.to_status || s.status);
  const RANK = { urgent: 0, normal: 1, low: 2 };
  const statusWords = (code) => (settings.statuses[code] || [code, code])[I.lang === "en" ? 1 : 0];

  /* "3 jam lagi", "terlambat 2 jam": the time left in words, the deadline in WIB beside.
     Late is the server's word (late_minutes: unanswered past the target, the one meaning
     the command centre, the digest and the statistics use); a report already answered
     and past its response target is neither. */
  function timeLeft(r) {
    const words = (size) => size < 60 ? I.t("minutes", { n: size }) : size < 48 * 60 ? I.t("hours", { n: Math.round(size / 60) }) : I.t("days", { n: Math.round(size / 1440) });
    if (r.late_minutes) return { text: I.t("late", { t: words(r.late_minutes) }), late: true };
    const minutes = Math.round((new Date(r.sla_due_at) - Date.now()) / 60000);
    return { text: minutes >= 0 ? I.t("left", { t: words(minutes) }) : "", late: false };
  }
  function metres(a, b) {
    const rad = Math.PI / 180, r = 6371000;
    const dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }
  function distance(m) { return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`; }
  function answerWords(code, answers) {
    const out = [];
    for (const q of label(code).attributes || []) {
      const given = answers && answers[q.code];
      if (given === undefined || given === null || given === "") continue;
      const values = Array.isArray(given) ? given : [given];
      const words = values.map((v) => { const known = (q.values || []).find((x) => x.key === v); return known ? I.name(known) : String(v); });
      out.push([I.lang === "en" ? q.description_en : q.description_id, words.join(", ")]);
    }
    return out;
  }
  /* where the phone is now (a photo of the spot carries it), or null without GPS */
  function here() {
    return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude }), () => resolve(null),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 }));
  }
  function locate() {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((pos) => {
      state.where = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      if (!$("#view-queue").hidden) drawQueue();
    }, () => {}, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  /* ---------- signing in ---------- */
  let challenge = null;
  function signedIn(body) {
    Outbox.setStaffToken(body.access_token, body.expires_in);
    state.me = { username: body.username, role: body.role, squad: body.squad };
    Outbox.kvSet("me", state.me); // who, not a secret: the app opens offline on its last queue
    $("#sign-out").hidden = false;
    $("#nav-queue").hidden = !body.squad;
    $("#nav-accounts").hidden = !RESETTERS.includes(body.role);
    sendWaiting();
    route();
  }
  async function signIn(event) {
    event.preventDefault();
    const error = $("#signin-error");
    error.textContent = "";
    const username = $("#username").value.trim();
    let answer;
    try {
      answer = await fetch(new URL("auth/sign-in", API), {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password: $("#password").value }),
      });
    } catch (e) { error.textContent = I.t("need_signal"); return; }
    const body = await answer.json();
    if (answer.ok) { $("#password").value = ""; return admit(body); }
    if (body.error && body.error.code === "mfa_required") { // enrolled: the app's code next
      challenge = { username, session: body.error.details[0].session };
      $("#password").value = "";
      $("#signin").hidden = true;
      $("#mfacode").hidden = false;
      $("#mfa-code").focus();
      return;
    }
    if (body.error && body.error.code === "mfa_setup_required") { error.textContent = I.t("not_staff"); return; }
    if (body.error && body.error.code === "password_change_required") {
      challenge = { username, session: body.error.details[0].session };
      $("#signin").hidden = true;
      $("#newpass").hidden = false;
      $("#new-password").focus();
      return;
    }
    error.textContent = answer.status === 401 ? I.t("wrong") : body.error.message;
  }
  async function newPassword(event) {
    event.preventDefault();
    const error = $("#newpass-error");
    const password = $("#new-password").value;
    if (password !== $("#new-password-2").value) { error.textContent = I.t("mismatch"); return; }
    let answer;
    try {
      answer = await fetch(new URL("auth/new-password", API), {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...challenge, new_password: password }),
      });
    } catch (e) { error.textContent = I.t("need_signal"); return; }
    const body = await answer.json();
    if (body.error && body.error.code === "mfa_required") { // a reset password keeps the code
      challenge = { username: challenge.username, session: body.error.details[0].session };
      $("#newpass").hidden = true;
      $("#mfacode").hidden = false;
      $("#mfa-code").focus();
      return;
    }
    if (!answer.ok) { error.textContent = body.error.message; return; }
    $("#newpass").hidden = true;
    $("#signin").hidden = false;
    admit(body);
  }
  async function answerCode(event) {
    event.preventDefault();
    const error = $("#mfacode-error");
    let answer;
    try {
      answer = await fetch(new URL("auth/mfa", API), {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...challenge, code: $("#mfa-code").value.trim() }),
      });
    } catch (e) { error.textContent = I.t("need_signal"); return; }
    const body = await answer.json();
    $("#mfa-code").value = "";
    if (!answer.ok) {
      const code = body.error && body.error.code;
      error.textContent = code === "wrong_code" ? I.t("wrong_code") : answer.status === 401 ? I.t("expired") : body.error.message;
      if (code !== "wrong_code" && answer.status === 401) { $("#mfacode").hidden = true; $("#signin").hidden = false; }
      return;
    }
    error.textContent = "";
    $("#mfacode").hidden = true;
    $("#signin").hidden = false;
    admit(body);
  }
  /* offered to squads: enrol an authenticator app from a QR code drawn in this page */
  async function staffPost(path, body) {
    const headers = { Authorization: `Bearer ${await Outbox.staffToken(API)}` };
    if (body) headers["Content-Type"] = "application/json";
    const answer = await fetch(new URL(path, API), { method: "POST", headers, body: body && JSON.stringify(body) });
    return { ok: answer.ok, body: await answer.json() };
  }
  async function startEnrol() {
    const note = $("#mfa-note");
    note.textContent = "";
    let answer;
    try { answer = await staffPost("staff/mfa"); } catch (e) { note.textContent = I.t("need_signal"); return; }
    if (!answer.ok) { note.textContent = answer.body.error.message; return; }
    self.KawalQr.draw($("#mfa-qr"), answer.body.otpauth_uri);
    $("#mfa-secret").textContent = self.KawalQr.grouped(answer.body.secret);
    $("#mfa-enrol").hidden = false;
    $("#mfa-start").hidden = true;
    $("#mfa-first").focus();
  }
  async function confirmEnrol(event) {
    event.preventDefault();
    const note = $("#mfa-note");
    let answer;
    try { answer = await staffPost("staff/mfa/confirm", { code: $("#mfa-first").value.trim() }); } catch (e) { note.textContent = I.t("need_signal"); return; }
    $("#mfa-first").value = "";
    if (!answer.ok) { note.textContent = answer.body.error.code === "wrong_code" ? I.t("wrong_code") : answer.body.error.message; return; }
    $("#mfa-enrol").hidden = true;
    $("#mfa-qr").replaceChildren();
    $("#mfa-secret").textContent = "";
    note.textContent = I.t("mfa_done");
  }
  const RESETTERS = ["operator", "command"]; // who may reset a squad member's account
  function admit(body) {
    // an account with a queue of its own, or one that resets squad members' accounts
    if (!body.squad && !RESETTERS.includes(body.role)) { $("#signin-error").textContent = I.t("not_staff"); return; }
    signedIn(body);
  }

  /* ---------- squad accounts (operators, the command centre): resets ---------- */
  async function resetAccount(kind) {
    const user = $("#account-username").value.trim();
    const note = $("#account-note");
    note.textContent = "";
    $("#account-temp").hidden = true;
    $("#temp-password").textContent = "";
    if (!user) { $("#account-username").focus(); return; }
    let answer;
    try { answer = await staffPost(`staff/accounts/${encodeURIComponent(user)}/${kind}`); } catch (e) { note.textContent = I.t("need_signal"); return; }
    if (!answer.ok) {
      const code = answer.body.error && answer.body.error.code;
      note.textContent = code === "account_not_found" ? I.t("no_account", { user }) : answer.body.error.message;
      return;
    }
    if (kind === "mfa-reset") { note.textContent = I.t("mfa_reset_done", { user }); return; }
    $("#account-temp-for").textContent = I.t("temp_for", { user });
    $("#temp-password").textContent = answer.body.temporary_password;
    $("#account-temp").hidden = false;
  }
  async function signOut() {
    try {
      await fetch(new URL("auth/sign-out", API), { method: "POST", headers: { Authorization: `Bearer ${await Outbox.staffToken(API)}` } });
    } catch (e) { /* offline: the cookie goes with the next sign-in */ }
    Outbox.setStaffToken(null);
    state.me = null;
    await Outbox.kvSet("queue_cache", null);
    await Outbox.kvSet("me", null);
    location.hash = "";
    location.reload();
  }

  /* ---------- my squad's queue, by deadline ---------- */
  async function showQueue() {
    const squad = state.me.squad || "";
    $("#queue-title").textContent = I.t("queue_title", { squad: settings.squads[squad] || "" }).trim();
    const note = $("#queue-note");
    note.textContent = I.t("loading");
    const status = $("#filter-status").value;
    const only = $("#filter-district").value;
    // each list kept for offline (the whole squad's list: the kecamatan is picked from it)
    const cacheKey = status ? `queue_cache_${status}` : "queue_cache";
    const asked = (state.asked = (state.asked || 0) + 1); // a later choice outruns this one
    let queue;
    try {
      queue = await everyPage(squad, status, only);
      if (asked !== state.asked) return;
      if (!only) await Outbox.kvSet(cacheKey, queue);
      note.textContent = "";
    } catch (e) {
      queue = ((await Outbox.kvGet(cacheKey)) || []).filter((r) => !only || r.district === only);
      if (asked !== state.asked) return;
      note.textContent = I.t("queue_offline");
    }
    state.queue = queue;
    // what the API pins for this person first (in its order); then urgent first; then the
    // deadline decides: a 6-hour flood before a 72-hour road
    const pinned = (r) => (r.pin_id ? 0 : 1);
    state.queue.sort((a, b) => pinned(a) - pinned(b) || (pinned(a) === 0 ? 0 : (RANK[a.priority] ?? 1) - (RANK[b.priority] ?? 1) || a.sla_due_at.localeCompare(b.sla_due_at)));
    drawQueue();
    locate();
  }
  /* every open report of the squad (or of one kecamatan, asked of the server), page
     after page: a deadline order needs them all, and 100 is no squad's ceiling */
  const MAX_PAGES = 20;
  async function everyPage(squad, status, only) {
    const params = new URLSearchParams({ limit: "100" });
    if (status) params.set("status", status);
    if (only) params.set("district", only);
    let items = [];
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await api(`squads/${squad}/reports?${params}`);
      items = items.concat(page.items);
      if (!page.next_cursor) break;
      params.set("cursor", page.next_cursor);
      $("#queue-note").textContent = I.t("more_loading", { n: items.length });
    }
    return items;
  }
  function drawQueue() {
    const list = $("#queue");
    list.replaceChildren();
    const shown = state.queue;
    for (const r of shown) {
      const lb = label(r.label);
      const left = timeLeft(r);
      const thumb = r.citizen_photos
        ? el("img", { src: `../reports/${r.id}/photo?size=thumb`, alt: "", width: 72, height: 72, loading: "lazy", class: "thumb" })
        : el("span", { class: "thumb none", "aria-hidden": "true", text: lb.icon });
      thumb.addEventListener("error", () => thumb.replaceWith(el("span", { class: "thumb none", "aria-hidden": "true", text: lb.icon })));
      const answers = answerWords(r.label, r.attributes).map(([q, a]) => `${q}: ${a}`).join(" · ");
      const facts = [statusWords(r.status), place(r)];
      if (state.where) facts.push(I.t("away", { d: distance(metres(state.where, r)) }));
      if (r.supporters) facts.push(I.t("supporters", { n: r.supporters }));
      list.append(el("li", { class: `panel card queue-item${left.late ? " late" : ""}`, "data-id": r.id },
        thumb,
        el("div", {},
          el("p", {}, el("span", { class: "icon", "aria-hidden": "true", text: lb.icon }), " ",
            r.priority === "urgent" ? el("span", { class: "urgent", text: I.t("urgent") }) : null, r.priority === "urgent" ? " " : null,
            el("a", { href: `#laporan/${r.id}` }, `${I.name(lb)} · ${r.code}`)),
          el("p", { class: left.late ? "error" : "ok" }, left.text, el("span", { class: "muted", text: ` (${I.t("due", { when: I.wib(r.sla_due_at) })})` })),
          el("p", { class: "muted", text: facts.filter(Boolean).join(" · ") }),
          answers ? el("p", { class: "answers-line", text: answers }) : null,
          r.pin_id ? el("p", { class: "pin", text: I.lang === "en" ? r.pin_en : r.pin_id }) : null)));
    }
    if (!shown.length && !$("#queue-note").textContent) $("#queue-note").textContent = I.t("queue_empty");
  }

  /* ---------- one report: photos, answers, timeline, the actions its status allows ---------- */
  async function showReport(ref) {
    const box = $("#report");
    box.replaceChildren(el("h2", { id: "report-title", text: I.t("loading") }));
    let r;
    try { r = await api(`staff/reports/${encodeURIComponent(ref)}`); } catch (e) {
      const gone = e.status === 404 || e.status === 403;
      box.replaceChildren(el("h2", { id: "report-title", text: I.t(e.status === 403 ? "not_yours" : gone ? "not_found" : "need_signal") }),
        e.status === 403 ? el("p", {}, el("a", { href: `../r/${encodeURIComponent(ref)}?view=public` }, I.t("public_page"))) : null);
      return;
    }
    if (!(state.after && state.after.report === r.id)) { // an after-photo still in the outbox (an earlier load)
      const queued = (await Outbox.waiting()).find((i) => i.path === `reports/${r.id}/after-photos` && i.state !== "failed");
      if (queued) state.after = { report: r.id, client_photo_id: queued.id, preview: null };
    }
    const lb = label(r.label.code);
    const before = r.photos.find((p) => p.role === "before" && p.state === "ready");
    const afterPhoto = r.photos.find((p) => p.role === "after" && p.state === "ready");
    const left = timeLeft(r);
    const figure = (p, caption) => p && el("figure", { class: "photo" },
      el("img", { src: p.display_url || p.thumb_url, alt: `${caption}: ${I.name(lb)}`, width: p.width || 320, height: p.height || 240 }),
      el("figcaption", { text: caption }));
    const answers = answerWords(r.label.code, r.attributes);
    const steps = el("ol", { class: "timeline" });
    for (const s of r.staff_timeline.length ? r.staff_timeline : r.timeline) {
      const status = s.to_status || s.status;
      steps.append(el("li", {}, el("time", { datetime: s.at, text: I.wib(s.at) }), ` ${stepWords(s)}`,
        s.actor_id ? el("span", { class: "muted", text: ` · ${s.actor_id}` }) : null,
        // the system writes its notes in both languages ("… / …"): the reader's half
        s.note ? el("div", { class: "muted", text: s.actor_role === "system" && s.note.includes(" / ") ? s.note.split(" / ")[I.lang === "en" ? 1 : 0] : s.note }) : null));
    }
    // the kecamatan and how far, as on its card (the phone's place asked once if unknown)
    const facts = el("p", { class: "muted report-facts" });
    // the place in an element of its own (what a correction changes), then the rest as on the card
    const fillFacts = () => facts.replaceChildren(el("span", { class: "report-place", text: place(r) }),
      ...[state.where ? I.t("away", { d: distance(metres(state.where, r)) }) : "",
        r.address, r.supporters ? I.t("supporters", { n: r.supporters }) : ""].filter(Boolean).map((x) => ` · ${x}`));
    fillFacts();
    if (!state.where && navigator.geolocation) here().then((where) => { if (where) { state.where = where; fillFacts(); } });
    const geo = `geo:${r.lat},${r.lon}?q=${r.lat},${r.lon}(${encodeURIComponent(r.code)})`;
    const web = `https://www.openstreetmap.org/?mlat=${r.lat}&mlon=${r.lon}#map=18/${r.lat}/${r.lon}`;
    box.replaceChildren(...[
      el("h2", { id: "report-title" }, el("span", { "aria-hidden": "true", text: `${lb.icon} ` }), `${I.name(lb)} `, el("span", { class: "code", text: r.code })),
      el("p", {}, el("span", { class: "status-pill", text: statusWords(r.status) }), " ",
        r.priority === "urgent" ? el("span", { class: "urgent", text: I.t("urgent") }) : null, " ",
        el("span", { class: left.late ? "error" : "ok", text: ["resolved", "closed", "rejected"].includes(r.status) ? "" : left.text }),
        el("span", { class: "muted", text: ` (${I.t("due", { when: I.wib(r.sla_due_at) })})` })),
      facts,
      el("p", { class: "map-links" }, el("a", { href: geo }, I.t("open_map")), " · ", el("a", { href: web, rel: "noopener" }, I.t("open_web_map"))),
      r.description ? el("p", { text: r.description }) : null,
      answers.length ? el("dl", { class: "answers" }, ...answers.flatMap(([q, a]) => [el("dt", { text: q }), el("dd", { text: a })])) : null,
      // what an Open311 client (FixMyStreet…) sent beyond the standard, as it sent it
      r.client_fields ? el("details", { class: "client-fields" }, el("summary", { text: I.t("client_fields") }),
        el("dl", { class: "answers" }, ...Object.entries(r.client_fields).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]))) : null,
      // while it is worked, the before-photo stands beside the after-photo's preview instead
      (before || afterPhoto) && !["accepted", "in_progress"].includes(r.status)
        ? el("div", { class: "photos" }, figure(before, I.t("before")), figure(afterPhoto, I.t("after"))) : null,
      actions(r, before),
      placeBox(r),
      ...(r.offers || []).map((offer, n) => offerBox(r, offer, n)),
      el("h3", { text: I.t("timeline") }), steps,
    ].filter(Boolean));
  }
  /* what an action said goes where the finger is: right after the button pressed */
  function saysBeside(box, said) {
    box.addEventListener("click", (event) => {
      const pressed = event.target.closest("button, label.pick");
      if (pressed && box.contains(pressed)) { pressed.after(said); said.textContent = ""; }
    }, true);
  }
  /* the after-photo this report already has on the server (taken earlier, perhaps on
     another load of the app), else none: a second one is never asked for */
  const heldAfter = (r) => [...r.photos].reverse().find((p) => p.role === "after" && !["rejected", "expired"].includes(p.state));
  function actions(r, before) {
    const box = el("div", { class: "actions" });
    const said = el("p", { role: "status", class: "muted" });
    saysBeside(box, said);
    if (state.flash && state.flash.report === r.id) { // the step just sent redrew the report
      said.className = "ok";
      said.textContent = state.flash.text;
      box.append(said);
    }
    state.flash = null;
    const note = el("textarea", { id: "action-note", rows: 2, maxlength: 2000 });
    const act = (action, body) => queueAction(r, action, body, said);
    if (["submitted", "reopened"].includes(r.status)) {
      box.append(el("button", { type: "button", class: "primary", onclick: () => act("claim", {}) }, I.t("claim")));
    }
    if (r.status === "accepted") {
      box.append(el("label", { for: "action-note", text: I.t("note") }), note,
        el("button", { type: "button", class: "primary", onclick: () => act("progress", note.value.trim() ? { note: note.value.trim() } : {}) }, I.t("progress")));
    }
    // "Selesai" only once an after-photo exists: taken here, or already on the server
    const resolveButton = el("button", { type: "button", class: "primary", onclick: () => {
      const taken = state.after && state.after.report === r.id ? { client_photo_id: state.after.client_photo_id } : null;
      const held = heldAfter(r);
      const photo = taken || (held ? { photo_id: held.id } : null);
      if (!photo || done.value.trim().length < 5) { said.className = "error"; said.textContent = I.t("need_after"); return; }
      act("resolve", { note: done.value.trim(), ...photo });
    } }, I.t("resolve"));
    const done = el("textarea", { id: "done-note", rows: 2, maxlength: 2000 });
    const canResolve = () => { resolveButton.disabled = !((state.after && state.after.report === r.id) || heldAfter(r)); };
    canResolve();
    if (["accepted", "in_progress"].includes(r.status)) box.append(afterPhotoBox(r, before, said, canResolve));
    if (r.status === "in_progress") box.append(el("label", { for: "done-note", text: I.t("what_done") }), done, resolveButton);
    if (r.status === "awaiting_info") box.append(el("p", { class: "warn", text: I.t("waiting_answer") }));
    if (["submitted", "reopened", "accepted", "in_progress"].includes(r.status)) box.append(askBox(r, said));
    if ((r.transfer_to || []).length) box.append(transferBox(r, said), forwardBox(r, said));
    if (r.status === "forwarded") box.append(settleBox(r, said));
    if (["submitted", "reopened", "accepted", "in_progress", "awaiting_info"].includes(r.status)) box.append(priorityBox(r, said));
    if (["submitted", "reopened", "accepted", "in_progress", "awaiting_info"].includes(r.status)) {
      const reason = el("select", { id: "reject-reason" });
      for (const [code, words] of Object.entries(settings.reject_reasons)) reason.append(el("option", { value: code, text: words[I.lang === "en" ? 1 : 0] }));
      box.append(el("details", { class: "reject" }, el("summary", {}, I.t("reject")),
        el("label", { for: "reject-reason", text: I.t("reject_reason") }), reason,
        el("button", { type: "button", onclick: () => act("reject", { reason: reason.value }) }, I.t("reject"))));
    }
    if (!said.isConnected) box.append(said);
    return box;
  }
  /* asking the reporter, handing over, the priority: each folded away until needed */
  function askBox(r, said) {
    const text = el("textarea", { id: "ask-text", rows: 2, maxlength: 2000 });
    const open = el("input", { type: "checkbox", id: "ask-public" });
    return el("details", { class: "more" }, el("summary", {}, I.t("ask")),
      el("label", { for: "ask-text", text: I.t("ask_text") }), text,
      el("p", {}, open, " ", el("label", { for: "ask-public", text: I.t("ask_public") })),
      el("button", { type: "button", onclick: () => {
        if (text.value.trim().length < 5) { said.className = "error"; said.textContent = I.t("need_words"); return; }
        queueAction(r, "questions", { note: text.value.trim(), public: open.checked }, said);
      } }, I.t("ask_send")));
  }
  function transferBox(r, said) {
    const to = el("select", { id: "transfer-to" });
    for (const code of r.transfer_to || []) to.append(el("option", { value: code, text: settings.squads[code] || code }));
    const why = el("textarea", { id: "transfer-why", rows: 2, maxlength: 2000 });
    return el("details", { class: "more" }, el("summary", {}, I.t("transfer")),
      el("label", { for: "transfer-to", text: I.t("transfer_to") }), to,
      el("label", { for: "transfer-why", text: I.t("why") }), why,
      el("button", { type: "button", onclick: async () => {
        if (why.value.trim().length < 5) { said.className = "error"; said.textContent = I.t("need_words"); return; }
        // once handed over it is another squad's: back to this squad's queue
        if (await queueItem(`reports/${r.id}/transfer`, { squad: to.value, reason: why.value.trim() }, said)) location.hash = "#antrean";
      } }, I.t("transfer_send")));
  }
  /* a report that is another body's: forwarded, then settled or given back */
  async function bodies() {
    if (!state.bodies) {
      try { state.bodies = await api("bodies"); await Outbox.kvSet("bodies", state.bodies); } catch (e) { state.bodies = (await Outbox.kvGet("bodies")) || []; }
    }
    return state.bodies;
  }
  const bodyName = (code) => { const b = (state.bodies || []).find((x) => x.code === code); return b ? I.name(b) : code; };
  function forwardBox(r, said) {
    const to = el("select", { id: "forward-to" });
    bodies().then((list) => list.forEach((b) => to.append(el("option", { value: b.code, text: I.name(b) }))));
    const note = el("textarea", { id: "forward-note", rows: 2, maxlength: 2000 });
    return el("details", { class: "more" }, el("summary", {}, I.t("forward")),
      el("label", { for: "forward-to", text: I.t("forward_to") }), to,
      el("label", { for: "forward-note", text: I.t("forward_note") }), note,
      el("button", { type: "button", onclick: () => {
        if (note.value.trim().length < 5) { said.className = "error"; said.textContent = I.t("need_words"); return; }
        queueAction(r, "forward", { body: to.value, note: note.value.trim() }, said);
      } }, I.t("forward_send")));
  }
  function settleBox(r, said) {
    const note = el("textarea", { id: "settle-note", rows: 2, maxlength: 2000 });
    const send = (declined) => {
      if (note.value.trim().length < 5) { said.className = "error"; said.textContent = I.t("need_words"); return; }
      queueAction(r, "settle", { note: note.value.trim(), declined }, said);
    };
    bodies().then(() => { heading.textContent = I.t("forwarded_to", { body: bodyName(r.forwarded_to) }); });
    const heading = el("p", { class: "warn", text: I.t("forwarded_to", { body: r.forwarded_to }) });
    return el("div", { class: "more" }, heading,
      el("label", { for: "settle-note", text: I.t("settle_note") }), note,
      el("button", { type: "button", class: "primary", onclick: () => send(false) }, I.t("settle")),
      el("button", { type: "button", onclick: () => send(true) }, I.t("recall")));
  }
  function priorityBox(r, said) {
    const level = el("select", { id: "priority-level" });
    for (const p of ["urgent", "normal", "low"]) level.append(el("option", { value: p, text: I.t(`p_${p}`), selected: p === r.priority }));
    const why = el("textarea", { id: "priority-why", rows: 2, maxlength: 2000 });
    return el("details", { class: "more" }, el("summary", {}, I.t("priority")),
      el("label", { for: "priority-level", text: I.t("priority_level") }), level,
      el("label", { for: "priority-why", text: I.t("why") }), why,
      el("button", { type: "button", onclick: () => {
        if (why.value.trim().length < 5) { said.className = "error"; said.textContent = I.t("need_words"); return; }
        queueAction(r, "priority", { priority: level.value, reason: why.value.trim() }, said);
      } }, I.t("priority_send")));
  }
  /* where it is: a guessed kecamatan made certain, the desa named (any status) */
  function placeBox(r) {
    const said = el("p", { role: "status", class: "muted" });
    const where = el("select", { id: "place-district" });
    for (const d of settings.districts) where.append(el("option", { value: d.code, text: d.name, selected: d.code === r.district }));
    const village = el("select", { id: "place-village" });
    const fill = () => {
      village.replaceChildren(el("option", { value: "", text: I.t("place_village_none") }));
      for (const v of (settings.villages || []).filter((x) => x.district === where.value)) {
        village.append(el("option", { value: v.code, text: v.kind === "desa" ? v.name : `Kel. ${v.name}`, selected: v.code === r.village }));
      }
    };
    fill();
    where.addEventListener("change", fill);
    const why = el("textarea", { id: "place-why", rows: 2, maxlength: 2000 });
    return el("details", { class: "more place-box" }, el("summary", {}, I.t("place")),
      el("label", { for: "place-district", text: I.t("place_district") }), where,
      el("label", { for: "place-village", text: I.t("place_village") }), village,
      el("label", { for: "place-why", text: I.t("place_why") }), why,
      el("button", { type: "button", onclick: () => queueAction(r, "place",
        { district: where.value, village: village.value || null, reason: why.value.trim() || null }, said) }, I.t("place_send")),
      said);
  }
  function afterPhotoBox(r, before, said, taken_now) {
    const input = el("input", { type: "file", id: "after-photo", accept: "image/*", capture: "environment", class: "visually-hidden" });
    const held = heldAfter(r);
    const taken = state.after && state.after.report === r.id ? state.after
      : held ? { preview: held.display_url || held.thumb_url } : null;
    const preview = el("img", { alt: I.t("after"), hidden: !taken || !taken.preview, src: taken ? taken.preview : null, width: 320, height: 240 });
    const ready = el("p", { class: "ok", role: "status", text: taken ? I.t(state.after && state.after.report === r.id ? "after_ready" : "after_held") : "" });
    const side = el("div", { class: "photos compare" },
      before ? el("figure", { class: "photo" }, el("img", { src: before.display_url || before.thumb_url, alt: `${I.t("before")}: ${I.name(label(r.label.code))}`, width: before.width || 320, height: before.height || 240 }), el("figcaption", { text: I.t("before") })) : null,
      el("figure", { class: "photo" }, preview, el("figcaption", { text: I.t("after") })));
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const where = await here();
      if (!where) { said.className = "error"; said.textContent = I.t("need_gps"); return; }
      const blob = await Kit.downscale(file, MAX_SIDE).catch(() => file);
      const client_photo_id = crypto.randomUUID();
      // kept across redraws of the report until it is resolved with this photo
      state.after = { report: r.id, client_photo_id, preview: URL.createObjectURL(blob) };
      preview.src = state.after.preview;
      preview.hidden = false;
      ready.textContent = I.t("after_ready");
      taken_now();
      await queueAction(r, "after-photos", {
        lat: where.lat, lon: where.lon, client_photo_id, content_type: "image/jpeg", data_base64: await Kit.toBase64(blob),
      }, said, client_photo_id, false);
      if (!input.isConnected) showReport(r.id); // the report was redrawn meanwhile
    });
    return el("div", { class: "after" }, el("p", { class: "muted", text: I.t("after_hint") }), input,
      el("label", { for: "after-photo", class: "pick big camera" }, I.t("after_photo")), side, ready);
  }
  /* a step the API offers this person on this report, drawn as it describes it (the
     app's files name no step that not everyone is offered) */
  function offerBox(r, offer, n) {
    const said = el("p", { role: "status", class: "muted" });
    const id = `offer-${n}`;
    const note = el("textarea", { id: `${id}-note`, rows: 2, maxlength: 2000 });
    const preview = el("img", { alt: I.lang === "en" ? offer.photo_label_en : offer.photo_label_id, hidden: true, width: 320, height: 240 });
    let photoId = null;
    const box = el("section", { class: "panel offer", "aria-labelledby": `${id}-title` },
      el("h3", { id: `${id}-title`, text: I.lang === "en" ? offer.title_en : offer.title_id }),
      offer.context_id ? el("p", { class: "pin", text: I.lang === "en" ? offer.context_en : offer.context_id }) : null);
    if (offer.photo_path) {
      const input = el("input", { type: "file", id: `${id}-photo`, accept: "image/*", capture: "environment", class: "visually-hidden" });
      input.addEventListener("change", async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        const where = await here();
        if (!where) { said.className = "error"; said.textContent = I.t("need_gps"); return; }
        const blob = await Kit.downscale(file, MAX_SIDE).catch(() => file);
        preview.src = URL.createObjectURL(blob);
        preview.hidden = false;
        photoId = crypto.randomUUID();
        await queueItem(offer.photo_path, {
          lat: where.lat, lon: where.lon, client_photo_id: photoId, content_type: "image/jpeg", data_base64: await Kit.toBase64(blob),
        }, said, photoId);
      });
      box.append(input, el("label", { for: `${id}-photo`, class: "pick big camera" }, I.lang === "en" ? offer.photo_label_en : offer.photo_label_id), preview);
    }
    box.append(el("label", { for: `${id}-note`, text: I.t("note") }), note);
    for (const choice of offer.choices) {
      box.append(el("button", { type: "button", class: "choice", onclick: () => {
        const body = { [offer.field]: choice.value };
        if (note.value.trim()) body.note = note.value.trim();
        if (photoId) body.client_photo_id = photoId;
        queueItem(offer.path, body, said);
      } }, I.name(choice)));
    }
    box.append(said);
    return box;
  }
  /* the steps the API answers once per client action id (a retry after a lost answer
     gets the first answer, not a 409) */
  const STEP = /^reports\/[\w-]+\/(claim|progress|resolve|reject|questions|transfer|priority|forward|settle)$/;
  const STEP_NAMES = { claim: "claim", progress: "progress", resolve: "resolve", reject: "reject", questions: "ask",
    transfer: "transfer_send", priority: "priority", forward: "forward_send", settle: "settle", "after-photos": "after_photo" };
  function whyRefused(error) {
    const code = (error && error.code) || "";
    const status = ((error && error.details) || []).map((d) => d.status).find(Boolean);
    if (I.t(`why_${code}`) !== `why_${code}`) return I.t(`why_${code}`, { status: status ? statusWords(status) : "-" });
    if (["not_found", "squad_not_found", "404"].includes(code)) return I.t("why_report_not_found");
    if (["403"].includes(code)) return I.t("why_forbidden");
    if (["bad_request", "validation_failed", "malformed_json", "400"].includes(code) || code.startsWith("invalid")) return I.t("why_invalid");
    return I.t("why_other", { code });
  }
  async function queueItem(path, body, said, id, title) {
    const itemId = id || crypto.randomUUID();
    const sent = STEP.test(path) ? { ...body, client_action_id: itemId } : body;
    const outcome = await Outbox.sendNow(API, { id: itemId, kind: "staff", auth: "staff", path, body: JSON.stringify(sent), title });
    if (outcome.state === "refused") {
      said.className = "error";
      said.textContent = whyRefused(outcome.error);
      return false;
    }
    const done = outcome.state === "sent";
    said.className = done ? "ok" : "warn";
    said.textContent = I.t(done ? "done" : "queued");
    if (!done) requestSync();
    showPending();
    return done;
  }

  /* every action: into the outbox, then out; the view follows what the API says */
  async function queueAction(r, action, body, said, id, reload = true) {
    const title = `${I.t(STEP_NAMES[action] || action)} · ${r.code}`;
    const done = await queueItem(`reports/${r.id}/${action}`, body, said, id, title);
    if (done && reload) { state.flash = { report: r.id, text: I.t("done") }; showReport(r.id); }
  }
  async function showPending() {
    const items = (await Outbox.waiting()).filter((i) => i.kind === "staff");
    const waiting = items.filter((i) => i.state !== "failed");
    const box = $("#pending");
    box.hidden = waiting.length === 0;
    box.textContent = waiting.length ? I.t("pending", { n: waiting.length }) : "";
    // what was queued without signal and then refused: said, with a way to redo or drop it
    const refused = items.filter((i) => i.state === "failed");
    const list = $("#refused");
    list.hidden = refused.length === 0;
    list.replaceChildren(...(refused.length ? [el("h2", { text: I.t("refused_title") }), el("ul", {}, ...refused.map((i) =>
      el("li", { "data-id": i.id }, el("strong", { text: i.title || i.path }), el("p", { class: "error", text: whyRefused(i.error) }),
        el("button", { type: "button", onclick: async () => { await Outbox.retry(i.id); sendWaiting(); } }, I.t("redo")), " ",
        el("button", { type: "button", onclick: async () => { await Outbox.remove(i.id); showPending(); } }, I.t("drop")))))] : []));
  }

  /* ---------- sending what waits (as Lapor does) ---------- */
  const waiting = Kit.sender(async () => {
    const items = (await Outbox.waiting()).filter((i) => i.state !== "failed");
    if (!items.length) { showPending(); return null; }
    const outcome = navigator.onLine ? await Outbox.drain(API) : { waiting: 1 };
    await showPending();
    if (outcome.sent) route();
    return outcome;
  });
  const requestSync = waiting.soon;
  const sendWaiting = waiting.now;

  /* ---------- views ---------- */
  function route() {
    const hash = location.hash;
    const report = hash.match(/^#(?:laporan|r)\/([\w-]+)$/);
    // the accounts screen is only for operators and the command centre, who have no queue
    const resetter = state.me && RESETTERS.includes(state.me.role);
    const view = !state.me ? "signin" : resetter ? "accounts" : report ? "report" : "queue";
    for (const name of ["signin", "queue", "report", "accounts"]) $(`#view-${name}`).hidden = name !== view;
    if (view === "accounts") $("#account-username").focus();
    if (view === "queue") showQueue();
    if (view === "report") showReport(report[1]);
    if (view === "signin") $("#username").focus();
  }
  function applyLanguage() {
    I.apply();
    const button = $("#lang");
    button.textContent = I.lang === "en" ? "Bahasa Indonesia" : "English";
    button.lang = I.lang === "en" ? "id" : "en";
    button.setAttribute("aria-label", I.t("lang_switch"));
  }
  function online() { $("#offline").hidden = navigator.onLine; sendWaiting(); }

  $("#signin").addEventListener("submit", signIn);
  $("#newpass").addEventListener("submit", newPassword);
  $("#mfacode").addEventListener("submit", answerCode);
  $("#mfa-start").addEventListener("click", startEnrol);
  $("#mfa-enrol").addEventListener("submit", confirmEnrol);
  $("#sign-out").addEventListener("click", signOut);
  $("#account-form").addEventListener("submit", (event) => { event.preventDefault(); resetAccount("password-reset"); });
  $("#reset-mfa").addEventListener("click", () => resetAccount("mfa-reset"));
  $("#copy-temp").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText($("#temp-password").textContent); $("#account-note").textContent = I.t("copied"); } catch (e) { /* no clipboard: it stays on screen to read out */ }
  });
  $("#filter-district").addEventListener("change", showQueue);
  $("#filter-status").addEventListener("change", showQueue);
  $("#push-on").hidden = !Kit.pushOffered();
  $("#push-on").addEventListener("click", async () => {
    const note = $("#queue-note");
    try {
      const on = await Kit.enablePush(API, "staff/push/subscriptions", {}, await Outbox.staffToken(API));
      note.textContent = I.t(on ? "push_done" : "push_refused");
      if (on) $("#push-on").hidden = true;
    } catch (e) { note.textContent = I.t(e.status === 403 ? "push_none" : "need_signal"); }
  });
  $("#lang").addEventListener("click", () => { I.set(I.lang === "en" ? "id" : "en"); applyLanguage(); route(); });
  addEventListener("hashchange", route);
  addEventListener("online", online);
  addEventListener("offline", online);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) sendWaiting(); });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("sw.js").catch(() => {});
    navigator.serviceWorker.addEventListener("message", (e) => { if (e.data === "outbox") { showPending(); route(); } });
  }
  applyLanguage();
  // still signed in from an earlier day? (the HttpOnly refresh cookie decides; the page
  // reads only the sign-in's hint cookie, which holds no secret)
  const hinted = document.cookie.split(";").some((c) => c.trim() === "kawal_staff=1");
  (hinted ? fetch(new URL("auth/refresh", API), { method: "POST" }) : Promise.resolve({ ok: false }))
    .then((answer) => (answer.ok ? answer.json() : null))
    .then((body) => { if (body) admit(body); else route(); })
    .catch(async () => { // no signal: the last queue, and actions queue until it returns
      const me = await Outbox.kvGet("me");
      if (me) { state.me = me; $("#sign-out").hidden = false; $("#nav-queue").hidden = !me.squad; }
      route();
    });
  online();
})();
