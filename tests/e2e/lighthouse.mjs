// Lighthouse over every page type, in one Chromium: `node tests/e2e/lighthouse.mjs pages.json`.
// pages.json is a list of {name, url} or {name, submit: {start, form, fill, check, crossSite}}
// (a page that a form leads to, measured as the navigation the submission starts). Prints one
// JSON object: page name -> {scores: {category: 0-100}, failing: [{id, category, title, score,
// items}], url, error}. CHROMIUM and CHROMIUM_ARGS (a JSON list) say which Chromium to start and
// how: tests/e2e/test_lighthouse.py passes the same as Playwright's (browser.py).
import {readFileSync} from "node:fs";

import lighthouse, {startFlow} from "lighthouse";
import puppeteer from "puppeteer-core";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const [specPath] = process.argv.slice(2);
const pages = JSON.parse(readFileSync(specPath, "utf8"));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: JSON.parse(process.env.CHROMIUM_ARGS),
});

function summary(lhr) {
  const scores = {};
  const failing = [];
  for (const [id, category] of Object.entries(lhr.categories)) {
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        const items = (audit.details && audit.details.items) || [];
        failing.push({
          id: ref.id,
          category: id,
          title: audit.title,
          score: audit.score,
          items: items.slice(0, 10).map((item) => ({
            url: item.url || (item.sourceLocation && item.sourceLocation.url) || "",
            source: item.source || "",
            description: item.description || "",
          })),
        });
      }
    }
  }
  const error = lhr.runtimeError ? lhr.runtimeError.message : null;
  return {scores, failing, error, url: lhr.mainDocumentUrl || lhr.finalDisplayedUrl};
}

async function submit(page, {form, fill, check}) {
  for (const [name, value] of Object.entries(fill)) {
    await page.type(`${form} [name="${name}"]`, value);
  }
  for (const name of check) {
    await page.click(`${form} [name="${name}"]`);
  }
  await page.click(`${form} [type="submit"]`);
}

async function measure(spec) {
  // Statuses are checked elsewhere; the 404 page and a form's 400 answer are measured too.
  const flags = {onlyCategories: CATEGORIES, ignoreStatusCode: true};
  const page = await browser.newPage();
  try {
    if (spec.submit) {
      await page.goto(spec.submit.start);
      if (spec.submit.crossSite) {
        // The form copied onto a page of no site (about:blank) and sent from there.
        const copy = await page.$eval(spec.submit.form, (f) => {
          f.setAttribute("action", f.action);
          return f.outerHTML;
        });
        await page.goto("about:blank");
        await page.setContent(copy);
        spec = {...spec, submit: {...spec.submit, form: "form"}};
      }
      const flow = await startFlow(page, {flags: {...flags, disableStorageReset: true}});
      await flow.navigate(() => submit(page, spec.submit), {name: spec.name});
      return summary((await flow.createFlowResult()).steps[0].lhr);
    }
    return summary((await lighthouse(spec.url, flags, undefined, page)).lhr);
  } catch (error) {
    return {scores: {}, failing: [], error: String(error)};
  } finally {
    await page.close();
  }
}

const results = {};
for (const spec of pages) {
  // A trace is now and then lost on a busy machine (NO_NAVSTART): measure once more.
  for (let attempt = 0; attempt < 3; attempt++) {
    results[spec.name] = await measure(spec);
    if (!results[spec.name].error) break;
  }
}
await browser.close();
process.stdout.write(JSON.stringify(results, null, 2) + "\n");
