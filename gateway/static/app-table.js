// The check's results table: sort by any column (header buttons, or the "Sort by" list on a
// phone), filter by link type, search in URL and anchor text, 100 rows a page, rows that expand
// to every link the page has for the target.
"use strict";

(function () {
  const BL = window.BL;
  const el = BL.el;
  const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  const NUMERIC = { score: true, link_count: true, first_seen: true, last_seen: true };
  const LABELS = {
    referring_url: "Referring page", anchor_text: "Anchor text", link_type: "Type", score: "Score",
    link_count: "Links", target_url: "Target", first_seen: "First seen", last_seen: "Last seen",
  };

  function linkCount(row) {
    return row.link_count || (row.links ? row.links.length : 0) || 1;
  }

  function keyOf(row, key) {
    switch (key) {
      case "link_type": return BL.LINK_TYPES.indexOf(row.link_type);
      case "link_count": return linkCount(row);
      case "score": case "first_seen": case "last_seen":
        return typeof row[key] === "number" ? row[key] : null;
      default: return row[key] ? String(row[key]) : null;
    }
  }

  function detailRow(row, id) {
    const items = (row.links && row.links.length ? row.links : [row]).map((link) => {
      const about = [link.kind || "anchor"];
      if (link.rel && link.rel.length) about.push("rel " + link.rel.join(" "));
      return el("li", null,
        BL.typeBadge(link.link_type), " ",
        link.anchor_text ? el("q", null, link.anchor_text) : BL.muted("(no anchor text)"),
        el("span", { class: "arrow", "aria-hidden": "true" }, " → "),
        el("span", { class: "visually-hidden" }, " to "),
        BL.link(link.target_url || ""), " ",
        el("span", { class: "kind" }, "· " + about.join(" · ")));
    });
    return el("tr", { class: "detail", id: id },
      el("td", { colspan: 9 }, el("ul", { class: "link-list", "aria-label": "Links on this page" }, ...items)));
  }

  BL.resultsTable = function (prefix, pageRows) {
    const table = BL.$(prefix + "-table");
    const body = table.tBodies[0];
    const headers = Array.from(table.tHead.rows[0].cells).filter((th) => th.dataset.key);
    const count = BL.$(prefix + "-count");
    const empty = BL.$(prefix + "-empty");
    const pager = BL.$(prefix + "-pager");
    const prev = BL.$(prefix + "-prev");
    const next = BL.$(prefix + "-next");
    const pageLabel = BL.$(prefix + "-page");
    const search = BL.$(prefix + "-search");
    const sortSelect = BL.$(prefix + "-sort");
    const chips = Array.from(document.querySelectorAll('input[name="' + prefix + '-type"]'));
    const state = { rows: [], domain: "", type: "", query: "", key: "", dir: "", page: 0, open: new Set() };

    function visible() {
      const q = state.query.toLowerCase();
      let rows = state.rows.filter((row) => (!state.type || row.link_type === state.type) &&
        (!q || String(row.referring_url).toLowerCase().indexOf(q) >= 0 ||
          String(row.anchor_text || "").toLowerCase().indexOf(q) >= 0));
      if (state.key) {
        const numeric = NUMERIC[state.key] || state.key === "link_type";
        const sign = state.dir === "desc" ? -1 : 1;
        rows = rows.map((row, index) => ({ row: row, index: index, key: keyOf(row, state.key) }));
        rows.sort((a, b) => {
          if (a.key === null || b.key === null) {
            if (a.key === b.key) return a.index - b.index;
            return a.key === null ? 1 : -1;  // unknown values last, either way
          }
          const order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
          return sign * order || a.index - b.index;
        });
        rows = rows.map((entry) => entry.row);
      }
      return rows;
    }

    function dataRow(row, index) {
      const detailId = prefix + "-links-" + index;
      const open = state.open.has(row.referring_url);
      const n = row.links && row.links.length ? row.links.length : 1;
      const toggle = el("button", { type: "button", class: "expand", "aria-expanded": open ? "true" : "false",
        "aria-controls": detailId },
      el("span", { class: "chev", "aria-hidden": "true" }, open ? "▾" : "▸"),
      el("span", { class: "expand-label" }, "Links on this page (" + BL.num(n) + ")"));
      toggle.addEventListener("click", () => {
        const detail = BL.$(detailId);
        if (detail) {
          detail.remove();
          state.open.delete(row.referring_url);
        } else {
          tr.after(detailRow(row, detailId));
          state.open.add(row.referring_url);
        }
        toggle.setAttribute("aria-expanded", detail ? "false" : "true");
        toggle.firstChild.textContent = detail ? "▸" : "▾";
      });
      const tr = el("tr", { "data-link-type": row.link_type },
        el("td", { class: "expand-col" }, toggle),
        el("td", { class: "url page", "data-label": LABELS.referring_url }, BL.link(row.referring_url),
          row.note ? el("span", { class: "note" }, row.note) : null),
        el("td", { class: "anchor", "data-label": LABELS.anchor_text },
          row.anchor_text ? row.anchor_text : BL.muted("—")),
        el("td", { "data-label": LABELS.link_type }, BL.typeBadge(row.link_type)),
        el("td", { class: "num score", "data-label": LABELS.score },
          typeof row.score === "number" ? String(row.score) : BL.muted("—")),
        el("td", { class: "num links", "data-label": LABELS.link_count }, String(linkCount(row))),
        el("td", { class: "url target", "data-label": LABELS.target_url },
          row.target_url ? BL.link(row.target_url) : BL.muted("—")),
        el("td", { class: "date", "data-label": LABELS.first_seen }, BL.day(row.first_seen) || "—"),
        el("td", { class: "date", "data-label": LABELS.last_seen }, BL.day(row.last_seen) || "—"));
      return open ? [tr, detailRow(row, detailId)] : [tr];
    }

    function render() {
      const rows = visible();
      const pages = Math.max(1, Math.ceil(rows.length / pageRows));
      state.page = Math.min(state.page, pages - 1);
      const start = state.page * pageRows;
      const shown = rows.slice(start, start + pageRows);
      const fragment = document.createDocumentFragment();
      shown.forEach((row, i) => dataRow(row, start + i).forEach((tr) => fragment.appendChild(tr)));
      BL.clear(body).appendChild(fragment);

      const total = state.rows.length;
      const filtered = state.type || state.query;
      let text = filtered ? BL.num(rows.length) + " of " + BL.plural(total, "referring page") + " match"
        : BL.plural(total, "referring page");
      if (pages > 1) text += " · showing " + BL.num(start + 1) + "–" + BL.num(start + shown.length);
      count.textContent = text;
      table.hidden = rows.length === 0;
      empty.hidden = rows.length > 0;
      empty.textContent = total === 0 ? "No referring pages were found for " + state.domain + "."
        : "No referring page matches this filter.";
      pager.hidden = pages <= 1;
      pageLabel.textContent = "Page " + (state.page + 1) + " of " + pages;
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      headers.forEach((th) => th.setAttribute("aria-sort",
        th.dataset.key !== state.key ? "none" : state.dir === "desc" ? "descending" : "ascending"));
      const option = state.key ? state.key + ":" + state.dir : "";
      sortSelect.value = Array.from(sortSelect.options).some((o) => o.value === option) ? option : "";
    }

    headers.forEach((th) => {
      th.querySelector("button").addEventListener("click", () => {
        const key = th.dataset.key;
        if (state.key === key) state.dir = state.dir === "asc" ? "desc" : "asc";
        else state.dir = NUMERIC[key] ? "desc" : "asc";  // numbers: biggest first
        state.key = key;
        render();
      });
    });
    sortSelect.addEventListener("change", () => {
      const parts = sortSelect.value.split(":");
      state.key = parts[0] || "";
      state.dir = parts[1] || "";
      render();
    });
    chips.forEach((chip) => chip.addEventListener("change", () => {
      state.type = chip.value;
      state.page = 0;
      render();
    }));
    search.addEventListener("input", () => {
      state.query = search.value.trim();
      state.page = 0;
      render();
    });
    prev.addEventListener("click", () => { state.page -= 1; render(); table.scrollIntoView(); });
    next.addEventListener("click", () => { state.page += 1; render(); table.scrollIntoView(); });

    return {
      // New rows: filters and sort are kept (a Refresh keeps the reader's view), paging restarts.
      show(domain, rows) {
        state.rows = rows;
        state.domain = domain;
        state.page = 0;
        state.open.clear();
        const counts = { "": rows.length };
        BL.LINK_TYPES.forEach((t) => { counts[t] = rows.filter((r) => r.link_type === t).length; });
        document.querySelectorAll("#" + prefix + "-filter b[data-count]").forEach((b) => {
          b.textContent = BL.num(counts[b.dataset.count] || 0);
        });
        render();
      },
    };
  };
})();
