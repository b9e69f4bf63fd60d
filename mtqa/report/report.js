// mtqa HTML report: filters, keyboard navigation and the details panel. Inlined into the
// page (allowed by its sha256 in the CSP); it reads the DOM and only ever writes user text
// with textContent, never as HTML. Every pass over the page is linear: filters toggle classes
// on <body> and CSS does the hiding, so a 500-article report stays responsive.
(() => {
  "use strict";
  document.documentElement.classList.remove("no-js");
  const body = document.body;
  const $ = (id) => document.getElementById(id);

  // The first piece of each finding, in reading order: the stops for next/previous.
  const firsts = Array.from(document.querySelectorAll("mark.f.first"));
  const order = new Map(firsts.map((m, i) => [m, i]));
  const rules = new Map();
  for (const r of document.querySelectorAll(".rule[data-code]")) rules.set(r.dataset.code, r);

  const boxes = Array.from(document.querySelectorAll("input[data-filter]"));
  const flaggedOnly = $("flagged-only");
  const sevOn = new Set();
  const catOn = new Set();
  // Sentences that hold marks, with their paragraph, side-by-side row and document, collected once.
  const sentences = Array.from(document.querySelectorAll(".text .s.has"), (s) => ({
    el: s,
    marks: Array.from(s.getElementsByTagName("mark")),
    p: s.parentElement,
    row: s.closest("tr.al"),
    doc: s.closest(".doc"),
  }));
  let live = [];
  let current = -1;

  const visible = (m) => sevOn.has(m.dataset.severity) && catOn.has(m.dataset.c);

  function applyFilters() {
    sevOn.clear();
    catOn.clear();
    for (const box of boxes) {
      if (box.checked) (box.dataset.filter === "sev" ? sevOn : catOn).add(box.value);
      body.classList.toggle("hide-" + box.value, !box.checked);
    }
    body.classList.toggle("flagged-only", Boolean(flaggedOnly && flaggedOnly.checked));
    for (const el of live) el.classList.remove("live");
    const now = new Set();
    for (const s of sentences) {
      if (s.marks.some(visible)) {
        now.add(s.el);
        if (s.p) now.add(s.p);
        if (s.row) now.add(s.row);
        if (s.doc) now.add(s.doc);
      }
    }
    live = Array.from(now);
    for (const el of live) el.classList.add("live");
    const count = $("cat-count");
    if (count) count.textContent = "(" + catOn.size + "/" + boxes.filter((b) => b.dataset.filter === "cat").length + ")";
    showPosition();
  }

  function showPosition() {
    const pos = $("pos");
    if (!pos) return;
    const shown = firsts.filter(visible).length;
    const at = current >= 0 && visible(firsts[current]) ? firsts.slice(0, current + 1).filter(visible).length : 0;
    pos.textContent = (at ? at : "–") + " / " + shown;
  }

  function make(tag, text, cls) {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  function cell(row, cls) {
    const td = row ? row.querySelector("." + cls) : null;
    return td ? td.textContent : "";
  }

  // One block per finding under the pointer: overlapping marks nest, so walk outwards.
  function describe(mark) {
    const k = mark.dataset.k;
    const row = $("row-" + k);
    const rule = rules.get(mark.dataset.rule);
    const item = make("section", undefined, "item");
    const head = make("p");
    head.append(make("span", cell(row, "sevcell") || mark.dataset.severity, "sev sev-" + mark.dataset.severity));
    head.append(" ");
    head.append(make("strong", mark.dataset.rule));
    if (rule) head.append(" " + (rule.dataset.name || ""));
    item.append(head);
    const dl = make("dl");
    const add = (label, value) => {
      if (!value) return;
      dl.append(make("dt", label), make("dd", value));
    };
    add("Category", mark.dataset.category);
    add("Text", "« " + cell(row, "span") + " »");
    add("Message", cell(row, "msg"));
    add("Suggestion", cell(row, "sug"));
    add("Sentence", cell(row, "sent"));
    if (rule) {
      const doc = rule.querySelector(".doc-text");
      add("Rule", doc ? doc.textContent : "");
    }
    item.append(dl);
    const links = make("p", undefined, "links");
    const toRow = make("a", "Finding #" + mark.dataset.n + " in the table");
    toRow.href = "#row-" + k;
    links.append(toRow);
    if (rule) {
      const toRule = make("a", "rule documentation");
      toRule.href = "#" + rule.id;
      links.append(" · ", toRule, " · ", make("code", "mtqa explain " + mark.dataset.rule));
    }
    item.append(links);
    return item;
  }

  // The sentence under the pointer: its alignment and reference figures, when the page has them.
  function sentenceItem(mark) {
    const s = mark.closest(".s");
    if (!s || !(s.dataset.sim || s.dataset.chrf || s.dataset.ref)) return null;
    const item = make("section", undefined, "item");
    item.append(make("p", "Sentence " + s.dataset.i));
    const dl = make("dl");
    const add = (label, value) => {
      if (value) dl.append(make("dt", label), make("dd", value));
    };
    add("Similarity to source", s.dataset.sim);
    add("chrF", s.dataset.chrf);
    add("Reference", s.dataset.ref);
    item.append(dl);
    return item;
  }

  function select(k) {
    for (const m of document.querySelectorAll("mark.f.sel")) m.classList.remove("sel");
    for (const m of document.querySelectorAll('mark.f[data-k="' + k + '"]')) m.classList.add("sel");
  }

  function show(mark) {
    const chain = [];
    for (let m = mark; m; m = m.parentElement ? m.parentElement.closest("mark.f") : null) chain.unshift(m);
    const panel = $("details");
    const content = $("details-body");
    const items = chain.map(describe);
    const extra = sentenceItem(mark);
    if (extra) items.push(extra);
    content.replaceChildren(...items);
    panel.hidden = false;
    select(mark.dataset.k);
    const first = document.getElementById("f-" + mark.dataset.k);
    if (first && order.has(first)) current = order.get(first);
    showPosition();
  }

  function hide() {
    $("details").hidden = true;
    for (const m of document.querySelectorAll("mark.f.sel")) m.classList.remove("sel");
  }

  function step(dir) {
    const n = firsts.length;
    if (!n) return;
    let i = current < 0 ? (dir > 0 ? -1 : n) : current;
    for (let tries = 0; tries < n; tries++) {
      i = (((i + dir) % n) + n) % n;
      if (visible(firsts[i])) {
        current = i;
        const m = firsts[i];
        m.scrollIntoView({ block: "center" });
        m.focus({ preventScroll: true });
        show(m);
        return;
      }
    }
  }

  for (const box of boxes) box.addEventListener("change", applyFilters);
  if (flaggedOnly) flaggedOnly.addEventListener("change", applyFilters);
  const on = (id, fn) => {
    const el = $(id);
    if (el) el.addEventListener("click", fn);
  };
  on("next", () => step(1));
  on("prev", () => step(-1));
  on("details-close", hide);
  on("reset", () => {
    for (const box of boxes) box.checked = true;
    if (flaggedOnly) flaggedOnly.checked = false;
    applyFilters();
  });

  document.addEventListener("click", (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const mark = target ? target.closest("mark.f") : null;
    if (mark) show(mark);
    // The category menu is a <details>: close it on a click elsewhere, like a menu.
    for (const dd of document.querySelectorAll("details.dd[open]")) {
      if (!target || !dd.contains(target)) dd.open = false;
    }
  });
  document.addEventListener("focusin", (e) => {
    if (e.target instanceof Element && e.target.matches("mark.f.first")) show(e.target);
  });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (t instanceof HTMLInputElement && !/^(checkbox|radio|button)$/.test(t.type)) return;
    if (e.key === "n" || e.key === "j") {
      step(1);
      e.preventDefault();
    } else if (e.key === "p" || e.key === "k") {
      step(-1);
      e.preventDefault();
    } else if (e.key === "Escape") {
      hide();
      for (const dd of document.querySelectorAll("details.dd[open]")) dd.open = false;
    } else if ((e.key === "Enter" || e.key === " ") && t instanceof Element && t.matches("mark.f")) {
      show(t);
      e.preventDefault();
    }
  });

  applyFilters();
})();
