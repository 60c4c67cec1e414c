/* The public projects page: every public work of a year on a map and in a list, and
   one project's weekly progress against its S-curve. Reads GET ../projects and
   ../projects/{id}; the page holds no data. Bahasa Indonesia. */
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const $ = (id) => document.getElementById(id);
  const rupiah = (n) => "Rp " + Number(n).toLocaleString("id-ID");
  const pct = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("id-ID") + " %");
  const STANDING = { kritis: "Kritis", terlambat: "Terlambat", sesuai: "Sesuai rencana", belum_mulai: "Belum mulai" };
  const COLOUR = { kritis: "#b71c1c", terlambat: "#7a4f00", sesuai: "#1b5e20", belum_mulai: "#4b5457" };
  const STAGE = { persiapan: "Persiapan", pelaksanaan: "Pelaksanaan", pho: "Serah terima pertama (PHO)",
    pemeliharaan: "Pemeliharaan", fho: "Serah terima akhir (FHO)" };
  const FUNDING = settings.funding;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // the map: the kecamatan as names on a plain background, tiles only if configured
  const L = window.L;
  const districts = settings.districts;
  const map = L.map("map", { maxZoom: 17, minZoom: 9, zoomSnap: 0.25, attributionControl: false });
  map.fitBounds(L.latLngBounds(districts.map((d) => [d.lat, d.lon])).pad(0.1));
  if (settings.tileUrl) L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution }).addTo(map);
  districts.forEach((d) => L.marker([d.lat, d.lon], {
    interactive: false, keyboard: false,
    icon: L.divIcon({ className: "district-name", html: "", iconSize: null }),
  }).addTo(map).bindTooltip(d.name, { permanent: true, direction: "center", className: "district-label" }));
  const layer = L.layerGroup().addTo(map);

  const year = $("f-year");
  const thisYear = settings.year;
  for (let y = thisYear; y >= thisYear - 3; y -= 1) year.append(new Option(String(y), String(y)));

  function query() {
    const params = new URLSearchParams({ year: year.value });
    if ($("f-opd").value) params.set("opd", $("f-opd").value);
    if ($("f-district").value) params.set("kecamatan", $("f-district").value);
    return params;
  }

  function barRow(label, value, kind) {
    const row = el("span", "bar-row");
    row.append(el("span", "", label));
    const track = el("span", "track");
    const fill = el("span", "fill " + kind);
    fill.style.width = Math.max(0, Math.min(100, value || 0)) + "%";
    track.append(fill);
    row.append(track, el("span", "", pct(value)));
    return row;
  }

  function card(p) {
    const li = el("li");
    const button = el("button");
    button.type = "button";
    button.dataset.id = p.id;
    button.append(el("span", "name", p.name));
    button.append(el("span", "muted", `${p.opd_name} · ${p.contractor} · ${rupiah(p.contract_value)}`));
    const badge = el("span", "badge " + p.standing, STANDING[p.standing]);
    button.append(badge);
    const bars = el("span", "bars");
    bars.append(barRow("Rencana", p.planned_physical, "planned"));
    bars.append(barRow("Dilaporkan", p.reported ? p.reported.physical : null, "reported"));
    button.append(bars);
    button.addEventListener("click", () => open(p.id));
    li.append(button);
    return li;
  }

  function draw(p) {
    const where = p.place.coordinates.map(([lat, lon]) => [lat, lon]);
    const style = { color: COLOUR[p.standing], weight: 6, fillOpacity: 0.9, radius: 10 };
    const shape = p.place.kind === "line" ? L.polyline(where, style) : L.circleMarker(where[0], style);
    shape.bindTooltip(p.name);
    shape.on("click", () => open(p.id));
    shape.addTo(layer);
  }

  let asked = 0; // only the latest choice's answer is drawn (a slow earlier one is dropped)

  async function load() {
    const mine = (asked += 1);
    $("status").textContent = "Memuat…";
    $("open-data").href = "../projects?" + query().toString() + "&format=csv";
    let projects;
    try {
      const answer = await fetch("../projects?" + query().toString());
      if (!answer.ok) throw new Error(String(answer.status));
      projects = await answer.json();
    } catch (e) {
      if (mine !== asked) return;
      $("status").textContent = "Gagal memuat proyek. Coba lagi nanti.";
      return;
    }
    if (mine !== asked) return;
    const list = $("list");
    list.replaceChildren(...projects.map(card));
    layer.clearLayers();
    projects.forEach(draw);
    $("count").textContent = `(${projects.length})`;
    $("status").textContent = projects.length ? "" : "Tidak ada proyek untuk pilihan ini.";
  }

  function fact(dl, term, value) {
    dl.append(el("dt", "", term), el("dd", "", value));
  }

  async function open(id) {
    const answer = await fetch("../projects/" + encodeURIComponent(id));
    if (!answer.ok) return;
    const p = await answer.json();
    $("detail-title").textContent = p.name;
    const dl = $("facts");
    dl.replaceChildren();
    fact(dl, "OPD", p.opd_name);
    fact(dl, "Penyedia", p.contractor);
    if (p.consultant) fact(dl, "Konsultan pengawas", p.consultant);
    fact(dl, "Pagu", rupiah(p.pagu));
    fact(dl, "Nilai kontrak", rupiah(p.contract_value));
    fact(dl, "Sumber dana", FUNDING[p.funding] || p.funding);
    fact(dl, "Nomor kontrak", p.contract_number);
    fact(dl, "Masa kontrak", `${p.start} s.d. ${p.end}`);
    fact(dl, "Tahap", STAGE[p.stage]);
    fact(dl, "Rencana hari ini", pct(p.planned_physical));
    fact(dl, "Dilaporkan", p.reported ? `${pct(p.reported.physical)} (${p.reported.week})` : "belum ada laporan");
    fact(dl, "Status", STANDING[p.standing]);
    const rows = p.progress.map((w) => {
      const tr = el("tr");
      [w.week, pct(w.planned), pct(w.physical), rupiah(w.financial), [w.note, w.reason].filter(Boolean).join(" — ")]
        .forEach((v) => tr.append(el("td", "", v)));
      return tr;
    });
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", "muted", "Belum ada laporan mingguan dari OPD.");
      td.colSpan = 5;
      tr.append(td);
      rows.push(tr);
    }
    $("weeks").tBodies[0].replaceChildren(...rows);
    $("detail").hidden = false;
    $("detail").focus();
  }

  $("close").addEventListener("click", () => { $("detail").hidden = true; });
  ["f-year", "f-opd", "f-district"].forEach((id) => $(id).addEventListener("change", load));
  load();
})();
