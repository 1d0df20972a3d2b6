// sdg-ci report: renders the run's data (the JSON block above) into the page.
// Every piece of data reaches the page through textContent or an SVG attribute, never as
// markup: model output and pull-request text are untrusted. Rows are filtered in memory and
// rendered one page at a time, so a run of 50,000 rows stays responsive.
(function () {
  "use strict";
  const SVGNS = "http://www.w3.org/2000/svg";
  const PAGE_SIZE = 50;
  const started = performance.now();
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const rows = DATA.rows || [];
  const leaves = DATA.leaves || [];
  const state = { leaf: "", stage: "", reason: "", rating: "", q: "", page: 1 };
  let matched = [];
  let searchText = null;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else node.setAttribute(key, String(value));
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function num(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(2);
    return String(value);
  }

  function section(title, id) {
    const node = el("section", { id: id }, [el("h2", { text: title })]);
    document.getElementById("app").append(node);
    return node;
  }

  // ---------------------------------------------------------------- the run at a glance

  function total(key) {
    return leaves.reduce((sum, leaf) => sum + (Number(leaf[key]) || 0), 0);
  }

  function renderHeader() {
    const app = document.getElementById("app");
    app.append(el("h1", { text: "sdg-ci report" }));
    const run = DATA.run || {};
    const models = (run.models || []).map((m) => `${m.role}: ${m.model}`).join(" · ");
    const usage = run.usage || {};
    const facts = [];
    if (run.scale) facts.push(`scale ${run.scale}`);
    if (models) facts.push(models);
    if (usage.requests !== undefined) {
      facts.push(`${usage.requests} requests (${usage.cache_hits || 0} from the cache)`);
    }
    if (run.wall_s !== undefined && run.wall_s !== null) facts.push(`${num(run.wall_s)} s`);
    if (run.tool_version) facts.push(`sdg-ci ${run.tool_version}`);
    app.append(el("p", { class: "facts", text: facts.join(" · ") }));
    const cards = [
      ["leaves", "leaves", leaves.length],
      ["questions_generated", "questions", total("questions_generated")],
      ["questions_kept", "kept by critic", total("questions_kept")],
      ["answered", "answered", total("answered")],
      ["pairs_kept", "pairs kept", total("pairs_kept")],
      ["rejected_rows", "rejected rows", total("rejected_rows")],
    ];
    app.append(el("div", { class: "cards" }, cards.map(([key, label, value]) =>
      el("div", { class: "card" }, [
        el("div", { class: "value", "data-total": key, text: num(value) }),
        el("div", { class: "label", text: label }),
      ]))));
  }

  function renderCheck() {
    const check = DATA.check;
    if (!check) return;
    const node = section("Check", "check");
    node.append(el("p", {}, [
      "Verdict: ", el("strong", { class: `verdict ${check.verdict}`, "data-verdict": "",
        text: check.verdict || "?" }),
      check.base ? ` · base ${check.base}` : "",
      ` · ${(check.changes || []).length} changed leaves`,
    ]));
    const items = [];
    for (const problem of check.problems || []) items.push(el("li", { text: problem }));
    for (const file of check.invalid || []) {
      items.push(el("li", {}, [el("code", { text: file.path }), " is invalid",
        el("ul", {}, (file.errors || []).map((e) => el("li", { text: e })))]));
    }
    for (const gate of check.gates_failed || []) {
      items.push(el("li", { text: `gate failed: ${gate.name || gate.gate || ""} ` +
        `${gate.leaf || gate.path || ""} ${gate.message || gate.detail || ""}` }));
    }
    for (const key of ["generation_skipped", "generation_error"]) {
      if (check[key]) items.push(el("li", { text: `${key.replace("_", " ")}: ${check[key]}` }));
    }
    if (items.length) node.append(el("ul", {}, items));
  }

  function renderProblems() {
    // leaves that could not be generated (the run fails) and leaves whose critic looks too
    // weak to filter: each with its reason, as summary.json gives it
    const run = DATA.run || {};
    const failed = (run.failed_leaves || []).length ? run.failed_leaves
      : leaves.filter((leaf) => leaf.failure).map((leaf) => ({ path: leaf.path,
        failure: leaf.failure }));
    const weakPaths = new Set(run.weak_critic_leaves || []);
    leaves.forEach((leaf) => { if ((leaf.weak_critic || []).length) weakPaths.add(leaf.path); });
    if (!failed.length && !weakPaths.size) return;
    const node = section("Leaves that need a look", "problems");
    if (failed.length) {
      node.append(el("h3", { text: `Failed leaves (${failed.length}): the run fails` }));
      node.append(el("ul", { class: "failed" }, failed.map((f) =>
        el("li", { "data-failed-leaf": f.path }, [el("code", { text: f.path }), ": ",
          el("span", { class: "failure", text: f.failure || "could not be generated" })]))));
    }
    if (weakPaths.size) {
      node.append(el("h3", { text: `Weak critic (${weakPaths.size} of ${leaves.length} ` +
        "leaves): its verdicts may not filter; review the kept pairs yourself" }));
      node.append(el("ul", { class: "weak" }, [...weakPaths].map((path) => {
        const leaf = leaves.find((l) => l.path === path) || {};
        const signals = leaf.weak_critic || [];
        return el("li", { "data-weak-critic": path }, [el("code", { text: path }),
          signals.length ? el("ul", {}, signals.map((w) => el("li", { text: w }))) : null]);
      })));
    }
  }

  function renderNotes() {
    const notes = [...(DATA.notes || []), ...((DATA.run || {}).notes || [])];
    leaves.forEach((leaf) => (leaf.notes || []).forEach((n) => notes.push(`${leaf.path}: ${n}`)));
    if (!notes.length) return;
    const node = section("Notes", "notes");
    node.append(el("ul", {}, notes.map((n) => el("li", { text: n }))));
  }

  // ---------------------------------------------------------------------------- charts

  // the steps of the markdown summary's funnel (report/render.py), in its order; a step an
  // older summary.json does not know shows as –
  const FUNNEL = [
    ["questions_generated", "questions"],
    ["questions_new", "new after dedup"],
    ["questions_kept", "kept by critic"],
    ["answered", "answered"],
    ["pairs_rated", "kept by rating"],
    ["pairs_kept", "kept after final dedup"],
  ];

  function barChart(bars, width, max, labelW, attrs) {
    // bars: [[label, value, class]]; horizontal bars with the value at the end (a missing
    // value: no bar, shown as –); attrs(i): extra attributes of bar i's value
    const rowH = 18;
    labelW = labelW || 110;
    const chart = svg("svg", { width: width, height: bars.length * rowH + 4,
      role: "img", class: "chart" });
    bars.forEach(([label, value, cls], i) => {
      const y = i * rowH + 2;
      const n = Number(value) || 0;
      const w = max > 0 ? Math.max(1, Math.round((n / max) * (width - labelW - 50))) : 1;
      chart.append(svg("text", { x: 0, y: y + 13, class: "axis" }, label));
      chart.append(svg("rect", { x: labelW, y: y, width: w, height: rowH - 4, class: cls }));
      chart.append(svg("text", { x: labelW + w + 4, y: y + 13, class: "value",
        ...(attrs ? attrs(i) : {}) }, num(value)));
    });
    return chart;
  }

  function leafLink(leaf, index) {
    const link = el("a", { href: "#", "data-leaf-link": index, text: leaf.path });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      setState({ leaf: leaf.path, stage: "", reason: "", rating: "", q: "", page: 1 });
      document.getElementById("rows").scrollIntoView();
    });
    return link;
  }

  function renderFunnel() {
    if (!leaves.length) return;
    const node = section("Funnel per leaf", "funnel");
    const grid = el("div", { class: "funnels" });
    leaves.forEach((leaf, i) => {
      const max = Math.max(...FUNNEL.map(([key]) => Number(leaf[key]) || 0));
      const flags = [];
      if (leaf.failure) flags.push(el("span", { class: "flag failed", text: " failed" }));
      if ((leaf.weak_critic || []).length) {
        flags.push(el("span", { class: "flag weak", text: " weak critic" }));
      }
      grid.append(el("div", { class: "funnel" }, [
        el("h3", {}, [leafLink(leaf, i), el("span", { class: "kind", text: ` ${leaf.kind}` }),
          ...flags]),
        barChart(FUNNEL.map(([key, label], j) => [label, leaf[key], `bar b${j}`]),
          480, max, 150, (j) => ({ "data-funnel-leaf": i, "data-step": FUNNEL[j][0] })),
      ]));
    });
    node.append(grid);
    const head = ["leaf", "kind", "seeds", ...FUNNEL.map(([, label]) => label),
      "rated 1", "rated 2", "rated 3", "mean rating", "duplicates", "degenerate",
      "parse failures", "errors", "rejected rows"];
    const keys = ["seeds", ...FUNNEL.map(([key]) => key), "h1", "h2", "h3", "mean_rating",
      "duplicates", "degenerate", "parse_failures", "errors", "rejected_rows"];
    const table = el("table", { class: "numbers" }, [
      el("thead", {}, [el("tr", {}, head.map((h) => el("th", { text: h })))]),
      el("tbody", {}, leaves.map((leaf, i) => el("tr", {}, [
        el("td", {}, [leafLink(leaf, i)]),
        el("td", { text: leaf.kind }),
        ...keys.map((key) => {
          const value = key[0] === "h" && key.length === 2 ? (leaf.histogram || {})[key[1]]
            : leaf[key];
          return el("td", { class: "n", "data-leaf": i, "data-k": key, text: num(value) });
        }),
      ]))),
    ]);
    node.append(el("div", { class: "scroll" }, [table]));
  }

  function renderHistogram() {
    const counts = {};
    leaves.forEach((leaf) => {
      for (const [rating, count] of Object.entries(leaf.histogram || {})) {
        counts[rating] = (counts[rating] || 0) + count;
      }
    });
    const ratings = Object.keys(counts).sort();
    if (!ratings.length) return;
    const node = section("Rating histogram", "histogram");
    const max = Math.max(...ratings.map((r) => counts[r]), 1);
    const width = 60 * ratings.length + 20;
    const height = 160;
    const chart = svg("svg", { width: width, height: height + 40, role: "img", class: "chart" });
    ratings.forEach((rating, i) => {
      const h = Math.round((counts[rating] / max) * height);
      const x = 20 + i * 60;
      chart.append(svg("rect", { x: x, y: height - h + 16, width: 40, height: Math.max(h, 1),
        class: `bar r${rating}` }));
      chart.append(svg("text", { x: x + 20, y: height - h + 12, class: "value mid",
        "data-rating": rating }, counts[rating]));
      chart.append(svg("text", { x: x + 20, y: height + 32, class: "axis mid" }, `rated ${rating}`));
    });
    node.append(chart);
    node.append(el("p", { class: "hint", text: "Every rated pair, kept or not (pairs rated " +
      "below the threshold are in the rejected rows)." }));
  }

  function renderBalance() {
    const balance = DATA.balance;
    if (!balance) return;
    const node = section("Balance over the taxonomy", "balance");
    const entries = Object.entries(balance.leaves || {});
    if (entries.length) {
      const max = Math.max(...entries.map(([, v]) => Math.max(Number(v.rows) || 0,
        Number(v.target) || 0)), 1);
      node.append(el("table", { class: "numbers" }, [
        el("thead", {}, [el("tr", {}, ["leaf", "rows", "target", "short by", "", "reason"]
          .map((h) => el("th", { text: h })))]),
        el("tbody", {}, entries.map(([path, v]) => {
          const chart = svg("svg", { width: 220, height: 14, class: "chart" });
          chart.append(svg("rect", { x: 0, y: 2, width: Math.round(((Number(v.rows) || 0) / max)
            * 200) + 1, height: 10, class: Number(v.short_by) > 0 ? "bar short" : "bar b3" }));
          if (v.target) {
            const x = Math.round((Number(v.target) / max) * 200);
            chart.append(svg("line", { x1: x, x2: x, y1: 0, y2: 14, class: "target" }));
          }
          return el("tr", { "data-balance-leaf": path }, [
            el("td", { text: path }), el("td", { class: "n", "data-k": "rows", text: num(v.rows) }),
            el("td", { class: "n", text: num(v.target) }),
            el("td", { class: "n", text: num(v.short_by) }),
            el("td", {}, [chart]), el("td", { text: v.reason || "" }),
          ]);
        })),
      ]));
    }
    const depths = subtreeDepths(balance.subtrees);
    if (depths.length) {
      // one chart per depth: a leaf shallower than a depth stands for itself there (so
      // every depth adds up), so depths shown together would count it twice
      node.append(el("h3", { text: "Subtrees" }));
      if (depths.length > 1) {
        node.append(el("p", { class: "hint", text: "Each depth on its own: every depth " +
          "holds all rows; a leaf shallower than the depth stands for itself." }));
      }
      for (const [depth, subtrees] of depths) {
        const box = el("div", { class: "depth", "data-depth": depth });
        if (depth) box.append(el("h4", { text: `depth ${depth}` }));
        const max = Math.max(...subtrees.map(([, v]) => Number(v.rows) || 0), 1);
        box.append(barChart(subtrees.map(([path, v]) => [path, Number(v.rows) || 0,
          "bar b0"]), 640, max, 110, (j) => ({ "data-subtree": subtrees[j][0] })));
        node.append(box);
      }
    }
    if (balance.stats && typeof balance.stats === "object") {
      node.append(el("dl", { class: "stats" }, Object.entries(balance.stats).flatMap(([k, v]) =>
        [el("dt", { text: k }), el("dd", { text: typeof v === "object" ? JSON.stringify(v)
          : num(v) })])));
    }
  }

  function subtreeDepths(subtrees) {
    // {depth: {"path": {rows, share}}} (balance.json), or an older flat
    // {"path": {rows, share}}: [[depth, [[path, value]...]]...], depths in order ("" for
    // the flat shape)
    const isNode = (v) => v && typeof v === "object" && "rows" in v;
    const flat = [];
    const depths = [];
    for (const [key, value] of Object.entries(subtrees || {})) {
      if (!value || typeof value !== "object") continue;
      if (isNode(value)) flat.push([key, value]);
      else {
        const level = Object.entries(value).filter(([, v]) => isNode(v));
        if (level.length) depths.push([key, level]);
      }
    }
    depths.sort((a, b) => (Number(a[0]) || 0) - (Number(b[0]) || 0));
    return flat.length ? [["", flat], ...depths] : depths;
  }

  // ------------------------------------------------------------------- the rows explorer

  function options(select, values, allLabel) {
    select.append(el("option", { value: "", text: allLabel }));
    for (const [value, label] of values) select.append(el("option", { value: value, text: label }));
    return select;
  }

  function unique(key) {
    const seen = new Map();
    for (const row of rows) if (row[key]) seen.set(row[key], (seen.get(row[key]) || 0) + 1);
    return [...seen.entries()];
  }

  const controls = {};

  function renderExplorer() {
    const node = section("Pairs and rejected rows", "rows");
    const stages = unique("s").sort((a, b) => (a[0] === "kept" ? -1 : b[0] === "kept" ? 1 :
      a[0].localeCompare(b[0])));
    controls.leaf = options(el("select", { id: "f-leaf", "aria-label": "leaf" }),
      leaves.map((leaf) => [leaf.path, leaf.path]), "all leaves");
    controls.stage = options(el("select", { id: "f-stage", "aria-label": "stage" }),
      stages.map(([s, n]) => [s, `${s === "kept" ? "kept pairs" : s} (${n})`]), "every stage");
    controls.reason = options(el("select", { id: "f-reason", "aria-label": "reason class" }),
      unique("c").sort().map(([c, n]) => [c, `${c} (${n})`]), "every reason");
    controls.rating = options(el("select", { id: "f-rating", "aria-label": "rating" }),
      [["1", "rated 1"], ["2", "rated 2"], ["3", "rated 3"], ["none", "not rated"]],
      "any rating");
    controls.q = el("input", { id: "f-q", type: "search", placeholder: "search text…",
      "aria-label": "search" });
    let timer = null;
    for (const key of ["leaf", "stage", "reason", "rating"]) {
      controls[key].addEventListener("change", () => setState({ [key]: controls[key].value,
        page: 1 }));
    }
    controls.q.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => setState({ q: controls.q.value, page: 1 }), 150);
    });
    const prev = el("button", { id: "prev", type: "button", text: "‹ previous" });
    const next = el("button", { id: "next", type: "button", text: "next ›" });
    prev.addEventListener("click", () => setState({ page: state.page - 1 }));
    next.addEventListener("click", () => setState({ page: state.page + 1 }));
    node.append(el("div", { class: "filters" }, [controls.leaf, controls.stage, controls.reason,
      controls.rating, controls.q]));
    node.append(el("div", { class: "pager" }, [prev,
      el("span", { id: "status", "aria-live": "polite" }), next]));
    node.append(el("div", { class: "explorer" }, [
      el("aside", { id: "seeds" }), el("div", { id: "row-list" })]));
  }

  function rowText(row) {
    return [row.q, row.a, row.x, row.m, row.raw, row.id, row.ch, ...(row.w || [])]
      .filter(Boolean).join("\n").toLowerCase();
  }

  function filterRows() {
    const leafIndex = state.leaf ? leaves.findIndex((leaf) => leaf.path === state.leaf) : -1;
    const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && searchText === null) searchText = rows.map(rowText);
    const rating = state.rating === "none" ? null : Number(state.rating);
    const out = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (state.leaf && row.l !== leafIndex) continue;
      if (state.stage && row.s !== state.stage) continue;
      if (state.reason && row.c !== state.reason) continue;
      if (state.rating && (state.rating === "none" ? row.r !== undefined : row.r !== rating)) {
        continue;
      }
      if (words.length) {
        const text = searchText[i];
        if (!words.every((w) => text.includes(w))) continue;
      }
      out.push(i);
    }
    return out;
  }

  function field(label, text, cls) {
    if (!text) return null;
    return el("div", { class: `field ${cls || ""}` }, [el("div", { class: "label", text: label }),
      el("div", { class: "text", text: text })]);
  }

  function renderRow(row, index) {
    const leaf = leaves[row.l] || { path: "?" };
    const kept = row.s === "kept";
    const head = el("header", {}, [
      el("span", { class: `badge ${kept ? "kept" : "rejected"}`, "data-stage": row.s,
        text: kept ? "kept" : `rejected at ${row.s}` }),
      row.c ? el("span", { class: "badge reason", "data-reason": row.c, text: row.c }) : null,
      row.r !== undefined ? el("span", { class: `badge r${row.r}`, "data-rating": row.r,
        text: `rated ${row.r}` }) : null,
      row.v ? el("span", { class: "badge", text: `critic: ${row.v}` }) : null,
      el("span", { class: "where", text: `${leaf.path}${row.id ? " · " + row.id : ""}` +
        `${row.ch ? " · " + row.ch : ""}` }),
    ]);
    const body = [head, field("reason", row.m, "reason"),
      row.x ? el("details", {}, [el("summary", { text: "context" }),
        el("div", { class: "text", text: row.x })]) : null,
      field(kept ? "user" : "question", row.q, "q"),
      field("answer", row.a, "a")];
    if (row.w && row.w.length) {
      body.push(el("div", { class: "field" }, [el("div", { class: "label", text: "critic" }),
        el("ul", { class: "reasons" }, row.w.map((w) => el("li", { text: w })))]));
    }
    if (row.k && row.k.length) {
      body.push(el("div", { class: "scores" }, row.k.map(([k, v]) =>
        el("span", { class: "score", text: `${k} = ${v}` }))));
    }
    if (row.raw) {
      body.push(el("details", {}, [el("summary", { text: "raw model output" }),
        el("div", { class: "text", text: row.raw })]));
    }
    return el("article", { class: `row ${kept ? "kept" : "rejected"}`, "data-row": index }, body);
  }

  function renderSeeds(pageRows) {
    const aside = document.getElementById("seeds");
    aside.replaceChildren(el("h3", { text: "Seed examples" }));
    const shown = [];
    const wanted = state.leaf ? [leaves.findIndex((leaf) => leaf.path === state.leaf)]
      : pageRows.map((i) => rows[i].l);
    for (const index of wanted) if (index >= 0 && !shown.includes(index)) shown.push(index);
    if (!shown.length) aside.append(el("p", { class: "hint", text: "No leaf on this page." }));
    for (const index of shown) {
      const leaf = leaves[index];
      const examples = leaf.examples || [];
      const box = el("div", { class: "seed-leaf", "data-seeds": index }, [
        el("h4", { text: leaf.path })]);
      if (!examples.length) {
        box.append(el("p", { class: "hint", text: "Seed examples not available (the " +
          "taxonomy was not at hand when this report was written)." }));
      }
      examples.forEach((seed, i) => {
        box.append(el("div", { class: "seed", "data-seed": i }, [
          seed.x ? el("details", {}, [el("summary", { text: "context" }),
            el("div", { class: "text", text: seed.x })]) : null,
          field("question", seed.q, "q"), field("answer", seed.a, "a")]));
      });
      aside.append(box);
    }
  }

  function renderRows() {
    const pages = Math.max(1, Math.ceil(matched.length / PAGE_SIZE));
    state.page = Math.min(Math.max(1, state.page || 1), pages);
    const start = (state.page - 1) * PAGE_SIZE;
    const pageRows = matched.slice(start, start + PAGE_SIZE);
    const list = document.getElementById("row-list");
    list.replaceChildren(...pageRows.map((i) => renderRow(rows[i], i)));
    if (!pageRows.length) list.append(el("p", { class: "hint", text: "No row matches." }));
    const status = document.getElementById("status");
    status.replaceChildren(
      el("span", { id: "shown", text: String(matched.length) }), " matching rows of ",
      el("span", { id: "total-rows", text: String(rows.length) }),
      matched.length ? ` · showing ${start + 1}–${start + pageRows.length}` +
        ` · page ${state.page} of ${pages}` : "");
    document.getElementById("prev").disabled = state.page <= 1;
    document.getElementById("next").disabled = state.page >= pages;
    renderSeeds(pageRows);
  }

  // --------------------------------------------------------------- state and the URL hash

  function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    return { leaf: params.get("leaf") || "", stage: params.get("stage") || "",
      reason: params.get("reason") || "", rating: params.get("rating") || "",
      q: params.get("q") || "", page: Number(params.get("page")) || 1 };
  }

  function writeHash() {
    const params = new URLSearchParams();
    for (const key of ["leaf", "stage", "reason", "rating", "q"]) {
      if (state[key]) params.set(key, state[key]);
    }
    if (state.page > 1) params.set("page", String(state.page));
    const hash = params.toString();
    try {
      history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
    } catch (e) {
      // a browser that refuses replaceState for this page: the hash simply stays
    }
  }

  function setState(change) {
    const started = performance.now();
    const refilter = ["leaf", "stage", "reason", "rating", "q"].some((k) => k in change &&
      change[k] !== state[k]);
    Object.assign(state, change);
    for (const key of ["leaf", "stage", "reason", "rating"]) {
      if (controls[key].value !== state[key]) controls[key].value = state[key];
    }
    if (controls.q.value !== state.q) controls.q.value = state.q;
    if (refilter) matched = filterRows();
    renderRows();
    writeHash();
    return { matched: matched.length, ms: performance.now() - started };
  }

  renderHeader();
  renderCheck();
  renderProblems();
  renderNotes();
  renderFunnel();
  renderHistogram();
  renderBalance();
  renderExplorer();
  matched = filterRows();
  setState(readHash());
  window.addEventListener("hashchange", () => setState(readHash()));
  window.sdgReport = { setState: setState, state: state };
  document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - started)));
  document.body.setAttribute("data-ready", "1");
})();
