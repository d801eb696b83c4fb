// The checker page's shared helpers: DOM building (text only, never HTML), the JSON API with the
// session's CSRF token, job polling, error messages, tabs. No dependencies, no inline code (the
// page's CSP forbids it). Every string that came from the web goes into the page as text.
"use strict";

(function () {
  const BL = (window.BL = {});
  const LINK_TYPES = ["dofollow", "nofollow", "mention", "unknown"];
  BL.LINK_TYPES = LINK_TYPES;

  // el("a", {class: "x", href: "..."}, "text", childNode): attributes are ours, children are text or nodes.
  BL.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    BL.append(node, children);
    return node;
  };

  BL.svg = function (tag, attrs, ...children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, String(value)));
    BL.append(node, children);
    return node;
  };

  BL.append = function (node, children) {
    children.forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  };

  BL.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  BL.$ = (id) => document.getElementById(id);

  // Plain http(s) URLs with a host and no white space or control characters: browsers drop some of
  // those before reading the scheme, so a URL holding one never becomes a link.
  const SAFE_URL = /^https?:\/\/[^\s\x00-\x1f\x7f/?#\\]+[^\s\x00-\x1f\x7f]*$/i;
  BL.safeHref = (url) => (typeof url === "string" && url.length <= 4096 && SAFE_URL.test(url) ? url : null);

  // A URL shown as text, linked only when it is a plain http(s) URL.
  BL.link = function (url, text) {
    const label = text === undefined ? url : text;
    const href = BL.safeHref(url);
    if (!href) return BL.el("span", { class: "unlinked" }, label || "—");
    return BL.el("a", { href: href, rel: "nofollow noopener noreferrer", target: "_blank" }, label);
  };

  BL.typeBadge = function (type) {
    const known = LINK_TYPES.indexOf(type) >= 0;
    return BL.el("span", { class: "type type-" + (known ? type : "unknown") }, String(type));
  };

  BL.muted = (text) => BL.el("span", { class: "muted" }, text);

  const numbers = new Intl.NumberFormat("en");
  BL.num = (n) => numbers.format(n);
  BL.plural = (n, word) => numbers.format(n) + " " + (n === 1 ? word : word + "s");

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  const pad = (n) => String(n).padStart(2, "0");
  const utc = (ts) => (typeof ts === "number" && ts > 0 ? new Date(ts * 1000) : null);

  // `3 December 2026, 19:07 UTC`, as the report pages say it.
  BL.time = function (ts) {
    const d = utc(ts);
    if (!d) return "—";
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
  };

  BL.day = function (ts) {
    const d = utc(ts);
    return d ? d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) : "";
  };

  // The registrable-ish name a row's page is on, for counting referring domains (www. dropped).
  BL.siteOf = (row) => String(row.referring_domain || "").toLowerCase().replace(/^www\./, "");

  BL.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- the JSON API ----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
    }
  }
  BL.ApiError = ApiError;

  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  let csrf = tokenMeta ? tokenMeta.getAttribute("content") : "";

  async function send(method, url, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = csrf;
    let response;
    try {
      response = await fetch(url, {
        method: method, headers: headers, credentials: "same-origin", cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, "network", "Could not reach the server. Check the connection and try again.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (response.ok) return { status: response.status, data: data };
    const detail = data && data.error ? data.error : {};
    const retry = parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(response.status, detail.code || "http_" + response.status,
      detail.message || "The server answered " + response.status + ".", isNaN(retry) ? null : retry);
  }

  // One API call; an expired session (403 invalid_csrf) gets a fresh token and one more try.
  BL.api = async function (method, url, body) {
    try {
      return await send(method, url, body);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "invalid_csrf") throw err;
      const fresh = await send("GET", "/api/v1/csrf");
      csrf = fresh.data.csrf;
      return send(method, url, body);
    }
  };

  // Poll a job until it ends: its result when done, an ApiError naming the reason when it failed.
  // `onProgress(job)` sees every running state; `cancelled()` stops polling quietly (null).
  BL.pollJob = async function (jobId, onProgress, cancelled) {
    let delay = 150;
    for (;;) {
      if (cancelled()) return null;
      const job = (await BL.api("GET", "/api/v1/jobs/" + encodeURIComponent(jobId))).data;
      if (cancelled()) return null;
      if (job.status === "done") return job.result;
      if (job.status === "failed") {
        throw new ApiError(500, "job_failed", "The check failed: " + (job.error || "no reason was given."));
      }
      onProgress(job);
      await BL.sleep(delay);
      delay = Math.min(1000, Math.round(delay * 1.5));
    }
  };

  BL.limitMessage = function (seconds) {
    const minutes = Math.max(1, Math.ceil((seconds || 60) / 60));
    return "Limit reached, try again in " + BL.plural(minutes, "minute") + ".";
  };

  // ---- messages where they belong ----------------------------------------------------------------

  BL.fieldError = function (input, message) {
    const box = BL.$(input.id + "-error");
    if (message) {
      input.setAttribute("aria-invalid", "true");
      box.textContent = message;
      box.hidden = false;
    } else {
      input.removeAttribute("aria-invalid");
      box.textContent = "";
      box.hidden = true;
    }
  };

  BL.alert = function (box, message) {
    box.textContent = message || "";
    box.hidden = !message;
  };

  // A 400 about the domain goes under its field (and takes focus), a 429 says when to try again,
  // anything else goes in the panel's alert.
  BL.showError = function (err, input, alertBox) {
    if (err.status === 400 && input && /domain/.test(err.code)) {
      BL.fieldError(input, err.message);
      input.focus();
    } else if (err.status === 429) {
      BL.alert(alertBox, BL.limitMessage(err.retryAfter));
    } else {
      BL.alert(alertBox, err.message || "Something went wrong.");
    }
  };

  // A <progress> and its text: indeterminate until the job knows how many pages it has.
  BL.progress = function (prefix) {
    const box = BL.$(prefix + "-progress");
    const bar = BL.$(prefix + "-progress-bar");
    const text = BL.$(prefix + "-progress-text");
    return {
      show(message, done, total) {
        box.hidden = false;
        text.textContent = message;
        if (total > 0) {
          bar.max = total;
          bar.value = Math.min(done, total);
        } else {
          bar.removeAttribute("value");
        }
      },
      hide() {
        box.hidden = true;
        text.textContent = "";
      },
    };
  };

  BL.jobMessage = function (what, job) {
    const p = job.progress || {};
    if (job.status === "queued") return "Waiting for a worker to check " + what + "…";
    if (p.total > 0) return "Checking " + what + ": " + BL.num(p.done) + " of " + BL.plural(p.total, "page") + " done";
    return "Checking " + what + "…";
  };

  BL.card = function (label, value, extra, cls) {
    return BL.el("div", { class: "stat" + (cls ? " " + cls : "") },
      BL.el("dt", null, label), BL.el("dd", null, value, extra ? BL.el("small", null, extra) : null));
  };

  // ---- tabs (WAI-ARIA tabs with automatic activation) --------------------------------------------

  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  const NAMES = { "tab-check": "check", "tab-compare": "compare", "tab-diff": "diff" };

  BL.selectTab = function (name, focus) {
    tabs.forEach((tab) => {
      const on = NAMES[tab.id] === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      BL.$(tab.getAttribute("aria-controls")).hidden = !on;
      if (on && focus) tab.focus();
    });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search + "#" + name);
    }
    document.dispatchEvent(new CustomEvent("bl:tab", { detail: name }));
  };

  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => BL.selectTab(NAMES[tab.id], false));
    tab.addEventListener("keydown", (event) => {
      let next = null;
      if (event.key === "ArrowRight") next = (index + 1) % tabs.length;
      else if (event.key === "ArrowLeft") next = (index - 1 + tabs.length) % tabs.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = tabs.length - 1;
      if (next === null) return;
      event.preventDefault();
      BL.selectTab(NAMES[tabs[next].id], true);
    });
  });

  // The domain last checked, offered to the other tabs.
  BL.lastDomain = "";

  document.addEventListener("DOMContentLoaded", () => {
    const wanted = window.location.hash.replace("#", "");
    if (Object.values(NAMES).indexOf(wanted) >= 0 && wanted !== "check") BL.selectTab(wanted, false);
  });
})();
