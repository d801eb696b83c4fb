// The Compare tab: two domains' referring pages as a diagram (only A, both, only B), cards, and
// three tables. A 202 (checks still running) is followed by polling the jobs, then one repeat.
"use strict";

(function () {
  const BL = window.BL;
  const el = BL.el;
  const $ = BL.$;
  const inputA = $("compare-a");
  const inputB = $("compare-b");
  const alertBox = $("compare-alert");
  const progress = BL.progress("compare");
  const resultBox = $("compare-result");
  const SHOWN = 100;
  let run = 0;

  function rowCells(row) {
    return [
      el("td", { "data-label": "Type" }, BL.typeBadge(row.link_type)),
      el("td", { class: "num", "data-label": "Score" }, typeof row.score === "number" ? String(row.score) : "—"),
      el("td", { class: "anchor", "data-label": "Anchor text" }, row.anchor_text || BL.muted("—")),
    ];
  }

  // A table of rows, 100 at a time with a "Show more" button.
  function fillTable(id, rows, heads, cells, emptyText) {
    const table = BL.clear($(id));
    const empty = $(id + "-empty");
    table.parentNode.hidden = rows.length === 0;
    empty.hidden = rows.length > 0;
    empty.textContent = emptyText;
    if (!rows.length) return;
    table.appendChild(el("thead", null, el("tr", null, ...heads.map((h) => el("th", { scope: "col", class: h === "Score" ? "num" : null }, h)))));
    const body = el("tbody");
    table.appendChild(body);
    let shown = 0;
    const more = el("button", { type: "button", class: "more" });
    function page() {
      rows.slice(shown, shown + SHOWN).forEach((row) => body.appendChild(el("tr", null,
        el("td", { class: "url", "data-label": "Referring page" }, BL.link(row.referring_url)), ...cells(row))));
      shown = Math.min(rows.length, shown + SHOWN);
      more.textContent = "Show more (" + BL.num(shown) + " of " + BL.num(rows.length) + " shown)";
      more.hidden = shown >= rows.length;
    }
    more.addEventListener("click", page);
    const old = table.parentNode.parentNode.querySelector("button.more");
    if (old) old.remove();
    table.parentNode.after(more);
    page();
  }

  function venn(result) {
    const c = result.counts;
    $("venn-only-a").textContent = BL.num(c.unique_a);
    $("venn-both").textContent = BL.num(c.overlap);
    $("venn-only-b").textContent = BL.num(c.unique_b);
    $("compare-venn-desc").textContent = c.unique_a + " pages link only to " + result.domain_a + ", " +
      c.overlap + " link to both, " + c.unique_b + " link only to " + result.domain_b + ".";
    $("compare-caption").textContent = "A (solid circle) is " + result.domain_a + "; B (dashed circle) is " +
      result.domain_b + ".";
  }

  function show(result, ranJobs) {
    const a = result.domain_a;
    const b = result.domain_b;
    const c = result.counts;
    $("compare-title").textContent = a + " compared with " + b;
    $("compare-meta").textContent = "Scanned " + BL.time(result.scanned_at) + " · " +
      (result.cached && !ranJobs ? "both results from the cache" : "fresh results");
    venn(result);
    const cards = BL.clear($("compare-cards"));
    cards.appendChild(BL.card("Linking to both", BL.num(c.overlap), BL.plural(c.overlap_domains, "domain"),
      "stat-both"));
    cards.appendChild(BL.card("Only " + a, BL.num(c.unique_a), BL.plural(c.unique_a_domains, "domain"), "stat-a"));
    cards.appendChild(BL.card("Only " + b, BL.num(c.unique_b), BL.plural(c.unique_b_domains, "domain"), "stat-b"));

    $("compare-both-h").textContent = "Linking to both (" + BL.num(c.overlap) + ")";
    $("compare-a-h").textContent = "Only " + a + " (" + BL.num(c.unique_a) + ")";
    $("compare-b-h").textContent = "Only " + b + " (" + BL.num(c.unique_b) + ")";
    fillTable("compare-both", result.overlap, ["Referring page", "Link to " + a, "Link to " + b], (row) => [
      el("td", { "data-label": "Link to " + a }, BL.typeBadge(row.link_type), " ", row.anchor_text || ""),
      el("td", { "data-label": "Link to " + b }, row.b ? BL.typeBadge(row.b.link_type) : "—", " ",
        row.b && row.b.anchor_text ? row.b.anchor_text : ""),
    ], "No page links to both.");
    const heads = ["Referring page", "Type", "Score", "Anchor text"];
    fillTable("compare-only-a", result.unique_a, heads, rowCells, "Every page linking to " + a + " also links to " + b + ".");
    fillTable("compare-only-b", result.unique_b, heads, rowCells, "Every page linking to " + b + " also links to " + a + ".");
    resultBox.hidden = false;
  }

  // Wait for the listed jobs (progress summed over both), without charging the quota again.
  async function waitFor(jobs, cancelled) {
    const state = {};
    await Promise.all(jobs.map((job) => BL.pollJob(job.job_id, (polled) => {
      state[job.job_id] = polled.progress || {};
      const done = Object.values(state).reduce((n, p) => n + (p.done || 0), 0);
      const total = Object.values(state).reduce((n, p) => n + (p.total || 0), 0);
      progress.show(total ? "Checking both domains: " + BL.num(done) + " of " + BL.plural(total, "page") + " done"
        : "Checking both domains…", done, total);
    }, cancelled)));
  }

  async function compare(domainA, domainB) {
    const mine = ++run;
    const cancelled = () => mine !== run;
    BL.fieldError(inputA, "");
    BL.fieldError(inputB, "");
    BL.alert(alertBox, "");
    progress.show("Starting the comparison…", 0, 0);
    const body = { domain_a: domainA, domain_b: domainB, deep_scan: $("compare-deep").checked,
      include_big: $("compare-big").checked, wait: 0 };
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const answer = await BL.api("POST", "/api/v1/backlinks/compare", body);
        if (cancelled()) return;
        if (answer.status !== 202) {
          show(answer.data, attempt > 0);
          return;
        }
        await waitFor(answer.data.jobs || [], cancelled);
        if (cancelled()) return;
      }
      BL.alert(alertBox, "The checks are taking long; try Compare again in a minute.");
    } catch (err) {
      if (cancelled()) return;
      if (err.status === 400 && /domain/.test(err.code)) {
        // Which field? The message quotes the bad domain (same_domain: always B).
        const text = err.message.toLowerCase();
        const a = domainA.toLowerCase();
        const b = domainB.toLowerCase();
        const inB = err.code === "same_domain" || (b && text.indexOf(b) >= 0 && !(a && text.indexOf(a) >= 0 && a.length > b.length));
        BL.showError(err, inB ? inputB : inputA, alertBox);
      } else {
        BL.showError(err, null, alertBox);
      }
    } finally {
      if (!cancelled()) progress.hide();
    }
  }

  $("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    compare(inputA.value.trim(), inputB.value.trim());
  });

  document.addEventListener("bl:tab", (event) => {
    if (event.detail === "compare" && !inputA.value && BL.lastDomain) inputA.value = BL.lastDomain;
  });
})();
