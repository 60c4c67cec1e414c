// Usul (issue #39): send a proposal, see the board, support one. Bahasa only, like
// the privacy notice; no framework (a cheap phone loads this page alone).
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const settings = JSON.parse($("usul-settings").textContent);
  const api = (path, options) => fetch(`../${path}`, options).then(async (r) => ({ status: r.status, body: await r.json() }));
  const uuid = () => crypto.randomUUID();

  function villages() {
    const district = $("u-district").value;
    const select = $("u-village");
    select.replaceChildren(new Option("Seluruh kecamatan", ""));
    for (const v of settings.villages) if (v.district === district) select.add(new Option(v.name, v.code));
  }

  // the server names fields in English: the citizen reads them as the form does
  const FIELDS = { title: "judul", description: "uraian", theme: "tema", district: "kecamatan",
    village: "desa", contact: "nomor HP", lat: "titik lokasi" };
  // one client id per filled form: a retry after a lost answer is the same proposal
  let clientId = uuid();
  async function send(event) {
    event.preventDefault();
    const form = $("usul-form");
    const body = { client_proposal_id: clientId };
    for (const name of ["title", "description", "theme", "district", "village", "contact"]) {
      const value = form.elements[name].value.trim();
      if (value) body[name] = value;
    }
    $("usul-error").textContent = "";
    let answer;
    try {
      answer = await api("proposals", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch {
      $("usul-error").textContent = "Tidak tersambung. Coba kirim lagi; usulan tidak akan tercatat dua kali.";
      return;
    }
    if (answer.status >= 400) {
      const error = answer.body.error || {};
      const fields = [...new Set((error.details || []).map((d) => FIELDS[String(d.field).split(".")[0]]).filter(Boolean))];
      $("usul-error").textContent = fields.length
        ? `Periksa isian: ${fields.join(", ")}.`
        : (error.message || "Usulan belum dapat dikirim.").split(" / ")[0];
      return;
    }
    const proposal = answer.body.proposal;
    localStorage.setItem(`usul:${proposal.code}`, answer.body.proposer_token);
    $("usul-code").textContent = proposal.code;
    $("usul-status").textContent = proposal.status_text;
    $("usul-sent").hidden = false;
    form.reset();
    clientId = uuid();
    $("usul-sent").scrollIntoView();
  }

  async function support(code, title, button) {
    button.disabled = true;
    const answer = await api(`proposals/${code}/support`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_support_id: uuid() }) });
    if (answer.status < 400) {
      button.textContent = `Didukung (${answer.body.supporters})`;
      button.setAttribute("aria-label", `Didukung (${answer.body.supporters}): ${title}`);
    }
    else { button.disabled = false; button.textContent = (answer.body.error?.message || "Gagal").split(" / ")[0]; }
  }

  async function board() {
    const answer = await api("proposals");
    const list = $("papan-list");
    list.replaceChildren();
    $("papan-empty").hidden = answer.body.length > 0;
    for (const p of answer.body) {
      const item = document.createElement("li");
      const title = document.createElement("h3");
      title.textContent = p.title;
      const meta = document.createElement("p");
      const village = settings.villages.find((v) => v.code === p.village);
      const district = settings.districts.find((d) => d.code === p.district);
      meta.textContent = `${p.theme_name} · ${village ? `${village.name}, ` : ""}${district ? district.name : p.district} · ${p.status_text} · ${p.supporters} dukungan`;
      const text = document.createElement("p");
      text.textContent = p.description;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Dukung usulan ini";
      button.setAttribute("aria-label", `Dukung usulan: ${p.title}`);
      button.addEventListener("click", () => support(p.code, p.title, button));
      item.append(title, meta, text, button);
      list.append(item);
    }
  }

  $("u-district").addEventListener("change", villages);
  $("usul-form").addEventListener("submit", send);
  board();
})();
