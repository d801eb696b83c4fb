// The Check tab: run a check (polling its job for progress), show the summary cards, the link-type
// chart and the table; CSV download, Save report with a share link, Refresh.
"use strict";

(function () {
  const BL = window.BL;
  const el = BL.el;
  const $ = BL.$;
  const form = $("check-form");
  const input = $("check-domain");
  const deep = $("check-deep");
  const big = $("check-big");
  const alertBox = $("check-alert");
  const progress = BL.progress("check");
  const resultBox = $("check-result");
  const saveButton = $("check-save");
  const share = $("check-share");
  const shareUrl = $("check-share-url");
  const copyStatus = $("check-copy-status");
  const pageRows = parseInt(document.querySelector('meta[name="page-rows"]').getAttribute("content"), 10) || 100;
  const table = BL.resultsTable("check", pageRows);
  const PATTERNS = { dofollow: "#009e73", nofollow: "url(#pat-stripes)", mention: "url(#pat-dots)",
    unknown: "url(#pat-crosshatch)" };
  let run = 0;
  let current = null;

  function chart(counts) {
    const bars = $("check-bars");
    BL.clear(bars);
    const top = Math.max(1, ...BL.LINK_TYPES.map((t) => counts[t]));
    const labelW = 104;
    const maxW = 240;
    BL.LINK_TYPES.forEach((t, i) => {
      const y = 8 + i * 40;
      const width = counts[t] ? Math.max(3, Math.round(maxW * counts[t] / top)) : 0;
      const g = BL.svg("g", { class: "bar", "data-link-type": t, "data-count": counts[t] },
        BL.svg("text", { class: "label", x: labelW - 10, y: y + 21, "text-anchor": "end" }, t));
      if (width) {
        g.appendChild(BL.svg("rect", { x: labelW, y: y + 3, width: width, height: 26, fill: PATTERNS[t],
          stroke: "#1c1e22", "stroke-width": 1 }));
      } else {
        g.appendChild(BL.svg("line", { x1: labelW, x2: labelW, y1: y + 3, y2: y + 29, stroke: "#1c1e22" }));
      }
      g.appendChild(BL.svg("text", { class: "count", x: labelW + width + 8, y: y + 21 }, BL.num(counts[t])));
      bars.appendChild(g);
    });
    $("check-chart-desc").textContent = BL.LINK_TYPES.map((t) => t + ": " + counts[t]).join(", ");
  }

  function topDomains(rows) {
    const found = new Map();
    rows.forEach((row) => {
      const site = BL.siteOf(row);
      if (site) found.set(site, (found.get(site) || 0) + 1);
    });
    const top = Array.from(found.entries()).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 10);
    const list = BL.clear($("check-top"));
    top.forEach(([site, n]) => list.appendChild(el("li", null,
      el("span", { class: "domain" }, site), " ", el("span", { class: "count" }, BL.num(n)))));
    list.hidden = top.length === 0;
    $("check-top-empty").hidden = top.length > 0;
    return found.size;
  }

  function show(result, freshRequest) {
    current = result;
    const rows = result.results || [];
    const counts = {};
    BL.LINK_TYPES.forEach((t) => { counts[t] = rows.filter((r) => r.link_type === t).length; });
    const sites = topDomains(rows);

    $("check-title").textContent = "Backlinks of " + result.domain;
    const kind = result.deep_scan ? "deep scan (pages fetched live)" : "quick scan (link index)";
    $("check-meta").textContent = "Scanned " + BL.time(result.scanned_at) + " · " + kind +
      (result.include_big ? " · big sites included" : "");
    const note = $("check-note");
    note.textContent = result.note || "";
    note.hidden = !result.note;

    const cards = BL.clear($("check-cards"));
    cards.appendChild(BL.card("Referring pages", BL.num(rows.length), null, "stat-total"));
    cards.appendChild(BL.card("Referring domains", BL.num(sites), null, "stat-total"));
    BL.LINK_TYPES.forEach((t) => cards.appendChild(BL.card(t, BL.num(counts[t]), null, "stat-" + t)));
    const when = result.scanned_at ? BL.time(result.scanned_at).split(", ") : ["—", ""];
    cards.appendChild(BL.card("Scanned", when[1] || when[0], when[1] ? when[0] : null, "stat-when"));
    cards.appendChild(BL.card("Result", result.cached ? "Cached" : "Fresh",
      result.cached ? "kept for 24 h; Refresh for a new scan" : "scanned just now", "stat-when"));
    chart(counts);

    const query = "domain=" + encodeURIComponent(result.domain) + "&deep_scan=" + !!result.deep_scan +
      "&include_big=" + !!result.include_big;
    $("check-csv").href = "/api/v1/backlinks.csv?" + query;
    $("check-csv").setAttribute("download", "backlinks-" + result.domain + ".csv");
    saveButton.disabled = false;
    saveButton.textContent = "Save report";
    share.hidden = true;
    copyStatus.textContent = "";
    resultBox.hidden = false;
    table.show(result.domain, rows);
    BL.lastDomain = result.domain;
    if (freshRequest && window.history && window.history.replaceState) {
      const flags = (result.deep_scan ? "&deep_scan=1" : "") + (result.include_big ? "&include_big=1" : "");
      window.history.replaceState(null, "", window.location.pathname + "?domain=" +
        encodeURIComponent(result.domain) + flags + "#check");
    }
  }

  async function check(domain, deepScan, includeBig, refresh) {
    const mine = ++run;
    const cancelled = () => mine !== run;
    BL.fieldError(input, "");
    BL.alert(alertBox, "");
    resultBox.setAttribute("aria-busy", "true");
    progress.show("Starting the check of " + (domain || "the domain") + "…", 0, 0);
    try {
      const body = { domain: domain, deep_scan: deepScan, include_big: includeBig, refresh: refresh, wait: 0 };
      const answer = await BL.api("POST", "/api/v1/backlinks/check", body);
      let result = answer.data;
      if (answer.status === 202) {
        result = await BL.pollJob(answer.data.job_id, (job) => {
          const p = job.progress || {};
          progress.show(BL.jobMessage(domain, job), p.done || 0, p.total || 0);
        }, cancelled);
      }
      if (cancelled() || !result) return;
      show(result, true);
    } catch (err) {
      if (cancelled()) return;
      BL.showError(err, input, alertBox);
    } finally {
      if (!cancelled()) {
        progress.hide();
        resultBox.removeAttribute("aria-busy");
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    check(input.value.trim(), deep.checked, big.checked, false);
  });

  $("check-refresh").addEventListener("click", () => {
    if (!current) return;
    input.value = current.domain;
    deep.checked = !!current.deep_scan;
    big.checked = !!current.include_big;
    check(current.domain, !!current.deep_scan, !!current.include_big, true);
  });

  saveButton.addEventListener("click", async () => {
    if (!current) return;
    const saving = current;
    saveButton.disabled = true;
    saveButton.textContent = "Saving…";
    BL.alert(alertBox, "");
    try {
      const saved = (await BL.api("POST", "/api/v1/reports", { domain: saving.domain, payload: saving })).data;
      if (saving !== current) return;
      const url = window.location.origin + saved.url;
      shareUrl.value = url;
      $("check-share-open").href = saved.url;
      share.hidden = false;
      saveButton.textContent = "Saved";
      copyStatus.textContent = "Report saved. Anyone with the link can read it.";
    } catch (err) {
      saveButton.disabled = false;
      saveButton.textContent = "Save report";
      BL.showError(err, null, alertBox);
    }
  });

  $("check-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(shareUrl.value);
      copyStatus.textContent = "Link copied.";
    } catch (err) {
      // No clipboard API (a plain-http address other than localhost): select it for Ctrl+C.
      shareUrl.focus();
      shareUrl.select();
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (ignored) {
        copied = false;
      }
      copyStatus.textContent = copied ? "Link copied." : "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  });

  // `/?domain=example.com` opens with that domain checked (a cached result costs nothing).
  if (new URLSearchParams(window.location.search).get("domain") && input.value.trim()) {
    check(input.value.trim(), deep.checked, big.checked, false);
  }

  BL.check = check;
})();
