// The six-month evaluation ("Evaluasi", issue #38): GET /command/evaluation drawn as
// tables and SVG charts by this page (nothing from another origin), printable to A4.
// Uses app.js's api, el, svg and $ (classic scripts share one global scope).
"use strict";

const EVAL = {
  title: "Evaluasi Kawal", period: "Periode", before: "dibanding", show: "Tampilkan",
  use: "Pemakaian: laporan per bulan", districts: "Laporan per kecamatan",
  response: "Respons per tim, bulan demi bulan", oversight: "Pengawasan",
  people: "Anggota tim", recurring: "Masalah berulang", compare: "Dibanding periode sebelumnya",
  few: "sedikit laporan: jangan disimpulkan", none: "Belum ada data.", month: "Bulan",
  squad: "Tim", medResp: "Median respons (jam)", p90Resp: "10% terlambat (jam)",
  medRes: "Median selesai (hari)", onTime: "Tepat waktu", reopen: "Dibuka lagi", rating: "Nilai",
  checks: "Dicek", notFixed: "Belum beres", member: "Anggota", accepted: "Diterima",
  resolved: "Selesai", flag: "Tanda", flagged: "tertinggal", place: "Tempat", label: "Jenis",
  reports: "Laporan", resolvedTimes: "Diselesaikan", last: "Terakhir", received: "Masuk",
  badPeriod: "Periode tidak sah.",
  trend: { naik: "naik", turun: "turun", tetap: "tetap" },
  figures: {
    received: "Laporan masuk", resolved: "Selesai", response_median_hours: "Median respons (jam)",
    resolution_median_days: "Median selesai (hari)", on_time_share: "Tepat waktu",
    reopen_rate: "Dibuka lagi", rating_average: "Nilai warga",
  },
};

const evalNumber = (v, share = false) =>
  v === null || v === undefined ? "–" : share ? `${Math.round(v * 100)}%` : String(v).replace(".", ",");

function evalTable(caption, head, rows) {
  if (!rows.length) return el("p", { class: "muted" }, EVAL.none);
  return el("table", { class: "eval-table" },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))));
}

function evalBars(title, points) { // reports per month: one bar each, labelled
  const w = 640, h = 200, pad = 28, max = Math.max(1, ...points.map((p) => p.value));
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": title, class: "eval-chart" });
  const step = (w - pad * 2) / Math.max(1, points.length);
  points.forEach((p, i) => {
    const bh = ((h - pad * 2) * p.value) / max, x = pad + i * step + step * 0.15;
    chart.append(svg("rect", { x, y: h - pad - bh, width: step * 0.7, height: bh, class: "eval-bar" }));
    const value = svg("text", { x: x + step * 0.35, y: h - pad - bh - 4, "text-anchor": "middle" });
    value.textContent = String(p.value);
    const label = svg("text", { x: x + step * 0.35, y: h - 8, "text-anchor": "middle" });
    label.textContent = p.label;
    chart.append(value, label);
  });
  return chart;
}

function evalSection(title, ...content) {
  return el("section", { class: "eval-section" }, el("h3", {}, title), ...content);
}

function renderEvaluation(e) {
  const squadRows = Object.entries(e.response).filter(([d]) => d.startsWith("squad#"))
    .flatMap(([d, rows]) => rows.filter((r) => r.received || r.resolved).map((r) => [
      squadName(d.slice(6)), r.month, evalNumber(r.response_median_hours), evalNumber(r.response_p90_hours),
      evalNumber(r.resolution_median_days), evalNumber(r.on_time_share, true), evalNumber(r.reopen_rate, true),
      evalNumber(r.rating_average)]));
  const compare = Object.entries(e.compare).map(([k, c]) => [
    EVAL.figures[k] || k, evalNumber(c.before, k.endsWith("share") || k.endsWith("rate")),
    evalNumber(c.now, k.endsWith("share") || k.endsWith("rate")),
    `${c.trend ? EVAL.trend[c.trend] : "–"}${c.few_reports ? ` (${EVAL.few})` : ""}`]);
  $("evaluasi-body").replaceChildren(
    el("h2", { id: "evaluasi-title" }, `${EVAL.title} · ${e.period[0]} – ${e.period[1]}`),
    el("p", { class: "muted" }, `${EVAL.before} ${e.previous[0]} – ${e.previous[1]}`),
    evalSection(EVAL.compare, evalTable(EVAL.compare, ["", e.previous.join(" – "), e.period.join(" – "), ""], compare)),
    evalSection(EVAL.use, evalBars(EVAL.use, e.use.by_month.map((m) => ({ label: m.month, value: m.received }))),
      evalTable(EVAL.districts, [EVAL.place, EVAL.received],
        Object.entries(e.use.by_district).sort((a, b) => b[1] - a[1]).map(([d, n]) => [districtName(d), n]))),
    evalSection(EVAL.response, evalTable(EVAL.response,
      [EVAL.squad, EVAL.month, EVAL.medResp, EVAL.p90Resp, EVAL.medRes, EVAL.onTime, EVAL.reopen, EVAL.rating], squadRows)),
    evalSection(e.words?.oversight || EVAL.oversight, evalTable(e.words?.oversight || EVAL.oversight, [EVAL.squad, EVAL.checks, EVAL.notFixed],
      Object.entries(e.oversight).map(([d, o]) => [d.startsWith("squad#") ? squadName(d.slice(6)) : d.split("#").slice(1).join(" · "), o.checks, o.not_fixed]))),
    evalSection(EVAL.people, el("p", { class: "eval-rule" }, e.rules.flag),
      evalTable(EVAL.people, [EVAL.squad, EVAL.member, EVAL.accepted, EVAL.resolved, EVAL.onTime, EVAL.rating, EVAL.notFixed, EVAL.flag],
        e.people.map((p) => [squadName(p.squad), p.member, p.accepted, p.resolved, evalNumber(p.on_time_share, true),
          evalNumber(p.rating_average), p.checks_not_fixed, p.flagged ? `${EVAL.flagged}: ${p.behind_months.join(", ")}` : ""]))),
    evalSection(EVAL.recurring, evalTable(EVAL.recurring, [EVAL.place, EVAL.label, EVAL.reports, EVAL.resolvedTimes, EVAL.last],
      e.recurring.map((r) => [r.district ? districtName(r.district) : `${r.lat}, ${r.lon}`, r.labels.map(labelName).join(", "),
        r.reports, r.resolved_times, r.last_at.slice(0, 10)]))),
  );
}

async function evaluation() {
  const from = $("eval-from").value, to = $("eval-to").value;
  const q = from && to ? `?from=${from}&to=${to}` : "";
  const answer = await api(`command/evaluation${q}`);
  if (answer.status !== 200) {
    $("evaluasi-body").replaceChildren(el("p", { class: "error", role: "alert" }, answer.body?.error?.message || EVAL.badPeriod));
  } else {
    if (!from) { $("eval-from").value = answer.body.period[0]; $("eval-to").value = answer.body.period[1]; }
    renderEvaluation(answer.body);
  }
  document.body.classList.add("evaluasi-open");
  $("evaluasi").hidden = false;
  $("evaluasi").focus();
}

$("evaluasi-open").addEventListener("click", evaluation);
$("eval-period").addEventListener("submit", (event) => { event.preventDefault(); evaluation(); });
$("evaluasi-print").addEventListener("click", () => window.print());
$("evaluasi-close").addEventListener("click", () => {
  $("evaluasi").hidden = true;
  document.body.classList.remove("evaluasi-open");
});
