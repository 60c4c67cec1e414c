/* The reporter's own steps on a report, from the phone that filed it (its token is in
   the outbox's "sent" store): answer the squad's question, confirm or dispute a fix,
   rate it, withdraw it. Lapor's "Laporan saya" and the follow page (/r/{code}) both
   draw them; ``shown`` is called again once the API has the answer. */
(function (root) {
  "use strict";
  const I = root.KawalI18n;
  const Kit = root.KawalKit;
  const el = Kit.el;
  I.add({
    resolved_ask: ["Petugas menandai laporan ini selesai. Apakah masalahnya benar sudah beres?",
      "The squad marked this report fixed. Is the problem really fixed?"],
    confirm: ["Ya, sudah beres", "Yes, it is fixed"],
    dispute: ["Belum beres", "Not fixed"],
    dispute_note: ["Apa yang belum beres? (tidak wajib)", "What is still wrong? (optional)"],
    thanks: ["Terima kasih, tanggapan Anda tercatat.", "Thank you, your answer is recorded."],
    asked: ["Petugas bertanya", "The squad asks"],
    your_answer: ["Jawaban Anda", "Your answer"],
    send_answer: ["Kirim jawaban", "Send the answer"],
    withdraw: ["Tarik laporan ini", "Withdraw this report"],
    withdraw_text: ["Belum ada petugas yang mengambil laporan ini. Jika masalahnya sudah tidak ada, Anda bisa menariknya.",
      "No squad member has taken this report yet. If the problem is gone, you can withdraw it."],
    withdraw_why: ["Alasan (tidak wajib)", "Why (optional)"],
    withdraw_do: ["Ya, tarik laporan", "Yes, withdraw it"],
    rate_title: ["Bagaimana penanganannya?", "How was it handled?"],
    rate_star: ["{n} bintang", "{n} stars"],
    rate_note: ["Komentar (tidak wajib)", "Comment (optional)"],
    rate_send: ["Kirim penilaian", "Send the rating"],
    rate_need: ["Pilih 1 sampai 5 bintang dulu.", "Choose 1 to 5 stars first."],
    rated: ["Penilaian Anda: {stars} dari 5. Terima kasih.", "Your rating: {stars} of 5. Thank you."],
    need_signal: ["Perlu sinyal untuk ini. Coba lagi nanti.", "This needs signal. Try again later."],
  });

  /* this phone's token for a report (by id or code), or null: it did not file it */
  async function token(ref) {
    for (const sent of await root.KawalOutbox.allSent()) {
      const r = sent.kind === "report" && sent.response;
      if (r && (r.id === ref || r.code === ref)) return r.reporter_token;
    }
    return null;
  }

  /* sent with the token, then the report shown again */
  async function act(base, report, key, action, body, said, shown) {
    try {
      await Kit.api(base, `reports/${report.id}/${action}`, { method: "POST",
        headers: { "Content-Type": "application/json", "X-Reporter-Token": key },
        body: body ? JSON.stringify(body) : undefined });
      said.className = "ok";
      said.textContent = I.t("thanks");
      setTimeout(shown, 1200);
    } catch (e) {
      said.className = "error";
      said.textContent = e.status ? e.message : I.t("need_signal");
    }
  }

  /* the boxes this report's state calls for: {question, after} (either may be null) */
  function boxes(base, report, key, shown) {
    const send = (action, body, said) => act(base, report, key, action, body, said, shown);
    const after = [];
    if (report.status === "resolved") after.push(answerBox(send));
    if (["resolved", "closed"].includes(report.status)) after.push(ratingBox(report, send));
    if (report.status === "submitted") after.push(withdrawBox(send));
    return { question: report.status === "awaiting_info" && report.question ? questionBox(report, send) : null, after };
  }
  function questionBox(report, send) {
    const text = el("textarea", { id: "answer-text", rows: 3, maxlength: 2000, required: true });
    const said = el("p", { role: "status" });
    return el("div", { class: "answer panel" },
      el("h3", { text: I.t("asked") }), el("p", { class: "question", text: report.question }),
      el("label", { for: "answer-text", text: I.t("your_answer") }), text,
      el("button", { type: "button", class: "primary", onclick: () => text.value.trim() && send("answers", { note: text.value.trim() }, said) }, I.t("send_answer")),
      said);
  }
  function withdrawBox(send) {
    const why = el("textarea", { id: "withdraw-note", rows: 2, maxlength: 2000 });
    const said = el("p", { role: "status" });
    return el("details", { class: "withdraw" }, el("summary", {}, I.t("withdraw")),
      el("p", { class: "muted", text: I.t("withdraw_text") }),
      el("label", { for: "withdraw-note", text: I.t("withdraw_why") }), why,
      el("button", { type: "button", onclick: () => send("withdraw", why.value.trim() ? { note: why.value.trim() } : null, said) }, I.t("withdraw_do")),
      said);
  }
  function ratingBox(report, send) {
    if (report.rating) return el("p", { class: "ok", text: I.t("rated", { stars: report.rating }) });
    const stars = el("div", { class: "stars" });
    for (let n = 1; n <= 5; n += 1) {
      const id = `star-${n}`;
      stars.append(el("input", { type: "radio", name: "stars", id, value: String(n), class: "visually-hidden" }),
        el("label", { for: id, title: I.t("rate_star", { n }) }, el("span", { "aria-hidden": "true", text: "★" }), el("span", { class: "visually-hidden", text: I.t("rate_star", { n }) })));
    }
    stars.addEventListener("change", (event) => { stars.dataset.stars = event.target.value; });
    const note = el("textarea", { id: "rate-note", rows: 2, maxlength: 2000 });
    const said = el("p", { role: "status" });
    const rate = () => {
      const chosen = stars.querySelector("input:checked");
      if (!chosen) { said.className = "error"; said.textContent = I.t("rate_need"); return; }
      send("rating", { stars: Number(chosen.value), ...(note.value.trim() ? { note: note.value.trim() } : {}) }, said);
    };
    return el("fieldset", { class: "rating" }, el("legend", { text: I.t("rate_title") }), stars,
      el("label", { for: "rate-note", text: I.t("rate_note") }), note,
      el("button", { type: "button", class: "primary", onclick: rate }, I.t("rate_send")), said);
  }
  function answerBox(send) {
    const note = el("textarea", { id: "dispute-note", rows: 2, maxlength: 1000 });
    const said = el("p", { role: "status" });
    const reply = (action) => send(action, action === "dispute" && note.value.trim() ? { note: note.value.trim() } : null, said);
    return el("div", { class: "answer" },
      el("p", { text: I.t("resolved_ask") }),
      el("button", { type: "button", class: "primary", onclick: () => reply("confirm") }, I.t("confirm")),
      el("label", { for: "dispute-note", text: I.t("dispute_note") }), note,
      el("button", { type: "button", onclick: () => reply("dispute") }, I.t("dispute")), said);
  }

  root.KawalReporter = { token, boxes };
})(self);
