/* KawalQr: an authenticator app's enrolment link (otpauth://…) drawn as an SVG QR code
   in the page, with the vendored qrcode-generator. The link holds the secret: it is
   never sent anywhere (no QR service, no image URL), only drawn here. */
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  function draw(container, text) {
    const qr = qrcode(0, "M"); // eslint-disable-line no-undef
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount(), quiet = 4, size = n + 2 * quiet;
    let d = "";
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.setAttribute("class", "qr");
    const back = document.createElementNS(NS, "rect");
    back.setAttribute("width", size); back.setAttribute("height", size); back.setAttribute("fill", "#fff");
    const marks = document.createElementNS(NS, "path");
    marks.setAttribute("d", d); marks.setAttribute("fill", "#000");
    svg.append(back, marks);
    container.replaceChildren(svg);
  }
  /* the secret in groups of four, easier to type into an app */
  function grouped(secret) { return secret.replace(/(.{4})/g, "$1 ").trim(); }
  self.KawalQr = { draw, grouped };
})();
