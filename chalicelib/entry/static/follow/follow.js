/* The follow page's script: the page reads without it. It keeps the language the
   person chose in Lapor (one preference on the phone), and on the phone that filed
   the report adds the reporter's own steps (lapor/reporter.js) with that phone's token. */
(function () {
  "use strict";
  const I = self.KawalI18n;
  const main = document.getElementById("main");
  const shown = document.documentElement.lang === "en" ? "en" : "id";
  const asked = new URLSearchParams(location.search).get("lang");
  // the toggle is a plain link (it works without script); here it is also remembered
  document.getElementById("lang").addEventListener("click", () => I.set(shown === "en" ? "id" : "en"));
  if (!asked && I.lang !== shown) {
    location.replace(`?lang=${I.lang}`);
    return;
  }
  if (asked) I.set(shown);
  const id = main.dataset.report;
  if (!id || !self.KawalReporter) return;
  const API = new URL("../", location.href);

  async function reporterSteps() {
    const key = await self.KawalReporter.token(id).catch(() => null);
    if (!key) return; // not the phone that filed it: the public page is all there is
    let report;
    try {
      report = await self.KawalKit.api(API, `reports/${encodeURIComponent(id)}`, { headers: { "X-Reporter-Token": key } });
    } catch (e) { return; }
    const boxes = self.KawalReporter.boxes(API, report, key, () => location.reload());
    document.getElementById("reporter-question").replaceChildren(...(boxes.question ? [boxes.question] : []));
    document.getElementById("reporter").replaceChildren(...boxes.after);
  }
  reporterSteps();
})();
