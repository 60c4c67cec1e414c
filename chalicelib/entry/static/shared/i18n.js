/* Bahasa Indonesia first; English when the person asks for it (kept on the phone).
   Strings live beside each app (KawalI18n.add); elements carry data-i18n="key". */
(function (root) {
  "use strict";
  const KEY = "kawal.lang";
  const strings = { id: {}, en: {} };
  let lang = "id";
  try { lang = root.localStorage.getItem(KEY) === "en" ? "en" : "id"; } catch (e) { /* private mode */ }

  function add(table) {
    for (const [key, pair] of Object.entries(table)) {
      strings.id[key] = pair[0];
      strings.en[key] = pair[1];
    }
  }
  function t(key, values) {
    let text = strings[lang][key] ?? strings.id[key] ?? key;
    for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(String(value));
    return text;
  }
  function apply(scope) {
    const doc = scope || root.document;
    doc.documentElement && (doc.documentElement.lang = lang);
    for (const el of doc.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of doc.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    for (const el of doc.querySelectorAll("[data-i18n-placeholder]")) el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
  }
  function set(next) {
    lang = next === "en" ? "en" : "id";
    try { root.localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ }
    apply();
  }
  /* a label's own name in the chosen language ({name_id, name_en} from the API) */
  function name(thing) { return (lang === "en" && thing.name_en) || thing.name_id; }
  function wib(iso) {
    const when = new Date(iso);
    const text = when.toLocaleString(lang === "en" ? "en-GB" : "id-ID", {
      timeZone: "Asia/Jakarta", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    });
    return `${text} WIB`;
  }
  root.KawalI18n = { add, t, apply, set, name, wib, get lang() { return lang; } };
})(self);
