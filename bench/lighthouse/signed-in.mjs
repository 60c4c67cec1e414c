// Lighthouse (mobile, its defaults) on a screen behind sign-in: the browser holds what a
// signed-in phone holds (cookies such as Tim's refresh cookie, the command centre's
// sessionStorage token) before Lighthouse loads the page; nothing is typed in a form.
//   node signed-in.mjs URL '{"cookies": [...], "session": {...}}' OUT.json CATEGORIES "CHROME FLAGS"
import fs from "node:fs";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [url, setupJson, out, categories, flags] = process.argv.slice(2);
const setup = JSON.parse(setupJson);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH,
  headless: true,
  args: flags.split(" ").filter((f) => f && f !== "--headless"),
});
try {
  const page = await browser.newPage();
  if (setup.cookies && setup.cookies.length) await page.setCookie(...setup.cookies);
  if (setup.session) {
    await page.evaluateOnNewDocument((values) => {
      try { for (const [k, v] of Object.entries(values)) sessionStorage.setItem(k, v); } catch (e) { /* about:blank */ }
    }, setup.session);
  }
  const result = await lighthouse(url, { output: "json", onlyCategories: categories.split(","), logLevel: "error" }, undefined, page);
  fs.writeFileSync(out, result.report);
} finally {
  await browser.close();
}
