// The New vs lost tab: the latest snapshot of a domain against the one `days` before it: new and
// lost pages, bars per referring domain, and unverified pages (a deep scan could not reach them)
// shown apart: they are neither kept nor lost.
"use strict";

(function () {
  const BL = window.BL;
  const el = BL.el;
  const $ = BL.$;
  const input = $("diff-domain");
  const days = $("diff-days");
  const alertBox = $("diff-alert");
  const resultBox = $("diff-result");
  const TAGS = { new: "+ new", lost: "− lost", unverified: "? unverified" };
  let run = 0;

  function bars(id, byDomain) {
    const list = BL.clear($(id));
    const entries = Object.entries(byDomain || {}).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    list.hidden = entries.length === 0;
    const top = Math.max(1, ...entries.map((e) => e[1]));
    entries.slice(0, 15).forEach(([domain, n]) => {
      const fill = el("span", { class: "bar-fill" });
      fill.style.width = Math.max(4, Math.round(100 * n / top)) + "%";  // CSSOM: allowed by the CSP
      list.appendChild(el("li", null,
        el("span", { class: "bar-name" }, domain),
        el("span", { class: "bar-track", "aria-hidden": "true" }, fill),
        el("span", { class: "bar-count" }, BL.num(n))));
    });
  }

  function changes(id, rows, change, emptyText) {
    const list = BL.clear($(id));
    if (!rows.length) {
      list.appendChild(el("li", { class: "empty" }, emptyText));
      return;
    }
    rows.forEach((row) => list.appendChild(el("li", { class: "change change-" + change },
      el("span", { class: "tag tag-" + change }, TAGS[change]), " ",
      BL.link(row.referring_url), " ",
      BL.typeBadge(row.link_type),
      row.anchor_text ? el("q", null, row.anchor_text) : null)));
  }

  function show(result, flags) {
    const c = result.counts || { new: 0, lost: 0, unverified: 0 };
    const unverified = result.unverified_pages || [];
    $("diff-title").textContent = "New and lost backlinks of " + result.domain;
    let meta = "No check of " + result.domain + " yet";
    if (result.latest_ts && result.baseline_ts) {
      meta = "Check of " + BL.time(result.latest_ts) + " compared with the check of " + BL.time(result.baseline_ts) +
        " · window " + BL.plural(result.window_days, "day");
    } else if (result.latest_ts) {
      meta = "Latest check " + BL.time(result.latest_ts);
    }
    $("diff-meta").textContent = meta;
    const note = $("diff-note");
    BL.clear(note);
    note.hidden = !result.note;
    if (result.note) {
      note.appendChild(document.createTextNode(result.note.charAt(0).toUpperCase() + result.note.slice(1) + "."));
      if (!result.latest_ts) {
        const go = el("button", { type: "button", class: "inline" }, "Check " + result.domain + " now");
        go.addEventListener("click", () => {
          BL.$("check-domain").value = result.domain;
          BL.$("check-deep").checked = flags.deep_scan;
          BL.$("check-big").checked = flags.include_big;
          BL.selectTab("check", true);
          BL.check(result.domain, flags.deep_scan, flags.include_big, false);
        });
        note.appendChild(document.createTextNode(" "));
        note.appendChild(go);
      }
    }
    const cards = BL.clear($("diff-cards"));
    cards.appendChild(BL.card("New", BL.num(c.new), "pages linking now, not before", "stat-new"));
    cards.appendChild(BL.card("Lost", BL.num(c.lost), "pages linking before, not now", "stat-lost"));
    cards.appendChild(BL.card("Unverified", BL.num(c.unverified || unverified.length), "could not be fetched",
      "stat-unverified"));
    $("diff-new-h").textContent = "New pages (" + BL.num(c.new) + ")";
    $("diff-lost-h").textContent = "Lost pages (" + BL.num(c.lost) + ")";
    $("diff-unverified-h").textContent = "Unverified pages (" + BL.num(unverified.length) + ")";
    bars("diff-new-bars", result.new_by_domain);
    bars("diff-lost-bars", result.lost_by_domain);
    changes("diff-new-list", result.new_pages || [], "new", "No new pages in this window.");
    changes("diff-lost-list", result.lost_pages || [], "lost", "No lost pages in this window.");
    changes("diff-unverified-list", unverified, "unverified", "");
    $("diff-unverified").hidden = unverified.length === 0;
    resultBox.hidden = false;
  }

  async function diff() {
    const mine = ++run;
    BL.fieldError(input, "");
    BL.fieldError(days, "");
    BL.alert(alertBox, "");
    const n = Number(days.value);
    if (!Number.isInteger(n) || n < 1 || n > 90) {
      BL.fieldError(days, "Days must be a whole number from 1 to 90.");
      days.focus();
      return;
    }
    const flags = { deep_scan: $("diff-deep").checked, include_big: $("diff-big").checked };
    const body = { domain: input.value.trim(), days: n, deep_scan: flags.deep_scan,
      include_big: flags.include_big, soft: true };
    try {
      const answer = await BL.api("POST", "/api/v1/backlinks/diff", body);
      if (mine === run) show(answer.data, flags);
    } catch (err) {
      if (mine !== run) return;
      if (err.status === 400 && /days/.test(err.message) && !/domain/.test(err.code)) {
        BL.fieldError(days, err.message);
      } else {
        BL.showError(err, input, alertBox);
      }
    }
  }

  $("diff-form").addEventListener("submit", (event) => {
    event.preventDefault();
    diff();
  });

  document.addEventListener("bl:tab", (event) => {
    if (event.detail === "diff" && !input.value && BL.lastDomain) input.value = BL.lastDomain;
  });
})();
