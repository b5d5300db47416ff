// The "Logit evolution" lab: reads the controls, fetches the lens data for a text (every
// position at once, so the position slider never waits), and redraws the three figures and
// their tables. The page embeds one position's data through json_script to draw at once.
// A text's data is computed once on the server and kept in its shared cache; the browser's
// HTTP cache (the response says public, max-age) answers a text asked for again.

import {
  binExamples,
  binRange,
  colourOf,
  describeHistogram,
  describeLineFigure,
  drawHistogram,
  drawLineFigure,
  formatNumber,
  highlightToken,
  stageName,
} from "./figures.js";
import { entryAt, tokenText } from "./data.js";
import { markerPath, svgElement } from "./svg.js";

const TYPING_PAUSE = 300; // ms after the last keystroke before the text is read
const URL_PAUSE = 250;

function element(tag, attributes = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

class Lab {
  constructor(root) {
    this.root = root;
    this.dataUrl = root.dataset.labDataUrl;
    this.samples = readJson(root.dataset.labSamples);
    const initial = readJson(root.dataset.labSource);
    const find = (name) => root.querySelector(`[data-lab-${name}]`);
    this.ui = {
      form: find("form"),
      sample: find("sample"),
      shown: find("shown"),
      text: find("text"),
      count: find("count"),
      position: find("position"),
      positionShown: find("position-shown"),
      stage: find("stage"),
      stageShown: find("stage-shown"),
      stageStats: find("stage-stats"),
      error: find("error"),
      status: find("status"),
      results: find("results"),
      tokens: find("tokens"),
      reading: find("reading"),
      unknown: find("unknown"),
      legend: find("legend"),
      scoreTable: find("score-table"),
      histogramTable: find("histogram-table"),
      tooltip: find("tooltip"),
    };
    this.figures = {
      logits: root.querySelector('[data-lab-figure="logits"]'),
      ranks: root.querySelector('[data-lab-figure="ranks"]'),
      histogram: root.querySelector('[data-lab-figure="histogram"]'),
    };
    this.entryCache = { data: null, position: null, entry: null };
    this.request = null;
    this.requestNumber = 0;
    this.hovered = null;
    this.pinned = null;
    this.data = initial.result;
    this.position = initial.position ?? 0;
    this.stage = initial.stage ?? 0;
    this.sample = initial.sample;

    root.dataset.labScripted = "";
    for (const button of root.querySelectorAll("[data-lab-submit]")) button.hidden = true;
    for (const chart of root.querySelectorAll("[data-lab-chart]")) chart.hidden = false;
    for (const svg of Object.values(this.figures)) this.addFindingAfter(svg);
    this.listen();
    if (this.data) {
      this.renderText();
      this.renderPosition();
      this.load(this.data.text, { position: this.position, quiet: true }); // every position
    } else {
      this.setState("error");
    }
  }

  addFindingAfter(svg) {
    if (svg.dataset.labFigure === "histogram") return;
    const finding = element("p", { class: "lab-finding", "data-lab-finding": svg.dataset.labFigure });
    svg.closest("[data-lab-chart]").after(finding);
  }

  setState(state) {
    this.root.dataset.labState = state;
  }

  entry() {
    if (!this.data) return null;
    const cached = this.entryCache;
    if (cached.data !== this.data || cached.position !== this.position) {
      this.entryCache = { data: this.data, position: this.position, entry: entryAt(this.data, this.position) };
    }
    return this.entryCache.entry;
  }

  // ---- events

  listen() {
    const { ui } = this;
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.load(ui.text.value);
    });
    ui.sample.addEventListener("change", () => {
      this.sample = ui.sample.value;
      ui.shown.value = this.sample;
      if (this.sample in this.samples) {
        ui.text.value = this.samples[this.sample];
        this.updateCount();
        this.load(ui.text.value);
      } else {
        ui.text.focus();
      }
    });
    ui.text.addEventListener("input", () => {
      this.updateCount();
      if (this.sample !== "custom") {
        this.sample = "custom";
        ui.sample.value = "custom";
        ui.shown.value = "custom";
      }
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.load(ui.text.value), TYPING_PAUSE);
    });
    ui.position.addEventListener("input", () => this.choosePosition(Number(ui.position.value)));
    ui.stage.addEventListener("input", () => {
      this.stage = Number(ui.stage.value);
      this.renderStage();
      this.syncUrl();
    });
    ui.tokens.addEventListener("click", (event) => {
      const link = event.target.closest("[data-index]");
      if (!link || !this.data) return;
      event.preventDefault();
      this.choosePosition(Number(link.dataset.index));
    });

    // Picking a token out: hover or focus shows it for a moment, pressing keeps it.
    const legend = ui.legend;
    legend.addEventListener("pointerover", (event) => this.hover(event.target.closest("[data-k]")));
    legend.addEventListener("focusin", (event) => this.hover(event.target.closest("[data-k]")));
    legend.addEventListener("pointerleave", () => this.hover(null));
    legend.addEventListener("focusout", () => this.hover(null));
    legend.addEventListener("click", (event) => {
      const item = event.target.closest("[data-k]");
      if (!item) return;
      const k = Number(item.dataset.k);
      this.pinned = this.pinned === k ? null : k;
      this.applyHighlight();
    });
    for (const name of ["logits", "ranks"]) {
      const svg = this.figures[name];
      svg.addEventListener("pointerover", (event) => this.hover(event.target.closest(".token-line")));
      svg.addEventListener("pointerleave", () => this.hover(null));
    }
    this.listenToBins();
  }

  hover(item) {
    this.hovered = item ? Number(item.dataset.k) : null;
    this.applyHighlight();
  }

  applyHighlight() {
    const k = this.hovered ?? this.pinned;
    for (const svg of Object.values(this.figures)) highlightToken(svg, k);
    for (const button of this.ui.legend.querySelectorAll("[data-k]")) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.k) === this.pinned));
      button.classList.toggle("is-highlighted", Number(button.dataset.k) === k);
    }
  }

  // The histogram's bins: a tooltip on hover or focus; arrow keys move between bins.
  listenToBins() {
    const svg = this.figures.histogram;
    const show = (event) => {
      const bin = event.target.closest(".bin");
      if (bin) this.showTooltip(bin);
    };
    svg.addEventListener("pointerover", show);
    svg.addEventListener("focusin", show);
    svg.addEventListener("pointerout", (event) => {
      if (event.target.closest(".bin") && document.activeElement !== event.target) this.hideTooltip();
    });
    svg.addEventListener("focusout", () => this.hideTooltip());
    svg.addEventListener("keydown", (event) => {
      const bin = event.target.closest(".bin");
      if (!bin) return;
      const bins = [...svg.querySelectorAll(".bin")];
      const index = bins.indexOf(bin);
      const next = {
        ArrowRight: index + 1,
        ArrowUp: index + 1,
        ArrowLeft: index - 1,
        ArrowDown: index - 1,
        Home: 0,
        End: bins.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = bins[Math.max(0, Math.min(bins.length - 1, next))];
      for (const b of bins) b.setAttribute("tabindex", b === target ? "0" : "-1");
      target.focus();
    });
  }

  showTooltip(bin) {
    const view = this.view();
    if (!view) return;
    const b = Number(bin.dataset.bin);
    const tooltip = this.ui.tooltip;
    tooltip.replaceChildren(
      element("strong", {}, binRange(view.binEdges, b)),
      document.createTextNode(` · ${bin.dataset.count} token${bin.dataset.count === "1" ? "" : "s"}`),
      element("br"),
      document.createTextNode(`highest: ${binExamples(view, b).join(", ")}`),
    );
    tooltip.hidden = false;
    const wrap = tooltip.parentElement.getBoundingClientRect();
    const box = bin.getBoundingClientRect();
    const half = tooltip.offsetWidth / 2;
    const centre = box.left + box.width / 2 - wrap.left;
    tooltip.style.left = `${Math.max(half, Math.min(wrap.width - half, centre))}px`;
    tooltip.style.top = `${box.top - wrap.top - 6}px`;
    tooltip.dataset.bin = b;
  }

  hideTooltip() {
    this.ui.tooltip.hidden = true;
  }

  choosePosition(position) {
    if (!this.data) return;
    this.position = Math.max(0, Math.min(this.data.tokens.length - 1, position));
    this.ui.position.value = this.position;
    this.renderPosition();
    this.syncUrl();
  }

  updateCount() {
    this.ui.count.textContent = this.ui.text.value.length;
  }

  // ---- data

  // Read `text` (all positions); show `position`, or the last token when it is not given.
  // A quiet load completes what is already shown, so it neither dims nor announces anything.
  async load(text, { position = null, quiet = false } = {}) {
    clearTimeout(this.typing);
    if (this.request) this.request.abort();
    this.request = null;
    const number = ++this.requestNumber;
    const request = new AbortController();
    this.request = request;
    if (!quiet) {
      this.setState("loading");
      this.ui.status.textContent = "Reading the text…";
    }
    try {
      const response = await fetch(`${this.dataUrl}?${new URLSearchParams({ text })}`, {
        signal: request.signal,
        headers: { Accept: "application/json" },
      });
      const body = await response.json().catch(() => null);
      if (number !== this.requestNumber) return;
      if (!response.ok || !body || body.error) {
        this.fail(body?.error || `The lab could not read this text (the server answered ${response.status}).`);
        return;
      }
      this.accept(body, position);
    } catch (error) {
      if (error.name === "AbortError" || number !== this.requestNumber) return;
      this.fail("The lab could not reach the server. Check the connection and try again.");
    }
  }

  accept(data, position) {
    this.data = data;
    const last = data.tokens.length - 1;
    this.position = position !== null && position >= 0 && position <= last ? position : last;
    this.stage = Math.min(this.stage, data.stages.length - 1);
    this.ui.error.hidden = true;
    this.ui.error.textContent = "";
    this.ui.status.textContent = "";
    this.ui.results.hidden = false;
    this.ui.position.disabled = false;
    this.ui.stage.disabled = false;
    this.renderText();
    this.renderPosition();
    this.setState("ready");
    this.syncUrl();
  }

  fail(message) {
    this.data = null;
    this.ui.status.textContent = "";
    this.ui.error.textContent = message;
    this.ui.error.hidden = false;
    this.ui.results.hidden = true;
    this.ui.position.disabled = true;
    this.ui.stage.disabled = true;
    this.ui.positionShown.textContent = "";
    this.setState("error");
  }

  syncUrl() {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      const params = new URLSearchParams({ sample: this.sample });
      if (this.sample === "custom" && this.data) params.set("text", this.data.text);
      params.set("shown", this.sample);
      params.set("position", this.position);
      params.set("stage", this.stage);
      history.replaceState(null, "", `?${params}`);
    }, URL_PAUSE);
  }

  view() {
    const entry = this.entry();
    if (!entry) return null;
    return {
      stages: this.data.stages,
      segments: this.data.segments,
      binEdges: this.data.bin_edges,
      vocab: this.data.vocab,
      vocabSize: this.data.vocab_size,
      entry,
      stage: this.stage,
    };
  }

  // ---- drawing

  // What depends only on the text: the token strip, the sliders' ranges, unknown characters.
  renderText() {
    const { ui, data } = this;
    ui.position.max = data.tokens.length - 1;
    ui.stage.max = data.stages.length - 1;
    ui.stage.value = this.stage;
    const items = data.tokens.map((token, index) => {
      const link = element("a", { class: "token", href: this.linkTo(index), "data-index": index, tabindex: "-1" }, data.vocab[token]);
      const item = element("li");
      item.append(link);
      return item;
    });
    ui.tokens.replaceChildren(...items);
    const unknown = data.unknown;
    ui.unknown.hidden = unknown.length === 0;
    if (unknown.length) {
      const chars = [...new Set(unknown.map(([, char]) => `“${char}”`))].join(", ");
      ui.unknown.textContent = `${unknown.length} character${unknown.length === 1 ? "" : "s"} the model does not know ${unknown.length === 1 ? "is" : "are"} read as <unk>: ${chars}.`;
    }
  }

  linkTo(index) {
    const params = new URLSearchParams({ sample: this.sample, shown: this.sample });
    if (this.sample === "custom") params.set("text", this.data.text);
    params.set("position", index);
    params.set("stage", this.stage);
    return `?${params}`;
  }

  renderPosition() {
    const { ui, data } = this;
    const last = data.tokens.length - 1;
    const token = tokenText(data, this.position);
    ui.position.value = this.position;
    ui.positionShown.textContent = `${this.position} of ${last}: “${token}”`;
    ui.position.setAttribute("aria-valuetext", `Position ${this.position} of ${last}, token ${token}`);
    [...ui.tokens.children].forEach((item, index) => {
      const link = item.firstElementChild;
      const role = index < this.position ? "seen" : index === this.position ? "current" : index === this.position + 1 ? "next" : "unseen";
      link.className = `token token-${role}`;
      if (role === "current") link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
    const entry = this.entry();
    if (!entry) {
      // Only one position came with the page; the rest is on its way.
      this.ui.status.textContent = "Reading every position…";
      return;
    }
    const reading = [`At position ${this.position} the model has read up to “`, element("code", {}, token), "”. "];
    if (entry.next_token !== null) reading.push("The text really continues with “", element("code", {}, entry.next_token), "”.");
    else reading.push("This is the end of the text, so there is no real next token to compare with.");
    ui.reading.replaceChildren(...reading);
    this.renderLegend(entry);
    this.renderScoreTable(entry);
    this.renderFigures();
  }

  renderStage() {
    if (!this.entry()) return;
    this.renderFigures();
  }

  renderFigures() {
    const view = this.view();
    const { ui } = this;
    ui.stage.value = this.stage;
    ui.stageShown.textContent = stageName(view.stages, this.stage);
    ui.stage.setAttribute("aria-valuetext", `Stage ${this.stage}: ${stageName(view.stages, this.stage)}`);
    const histogram = view.entry.histogram;
    ui.stageStats.textContent = `Raw scores at this stage: mean ${formatNumber(histogram.mean[this.stage])}, standard deviation ${formatNumber(histogram.std[this.stage])}.`;
    for (const kind of ["logits", "ranks"]) {
      const svg = this.figures[kind];
      drawLineFigure(svg, view, kind);
      const text = describeLineFigure(view, kind);
      svg.querySelector("desc").textContent = text;
      this.root.querySelector(`[data-lab-finding="${kind}"]`).textContent = text;
    }
    drawHistogram(this.figures.histogram, view);
    this.figures.histogram.querySelector("desc").textContent = describeHistogram(view);
    this.hideTooltip();
    this.renderHistogramTable(view);
    this.applyHighlight();
  }

  renderLegend(entry) {
    const items = entry.top.map((top, k) => {
      const button = element("button", { type: "button", class: "legend-item", "data-k": k, "aria-pressed": "false" });
      const mark = svgElement("svg", { class: "legend-mark", width: 40, height: 14, "aria-hidden": "true", focusable: "false" });
      svgElement("line", { class: "seg seg-mlp", x1: 2, y1: 7, x2: 38, y2: 7, stroke: colourOf(k) }, mark);
      svgElement("path", { class: "point", d: markerPath(k), fill: colourOf(k), transform: "translate(20 7)" }, mark);
      const probability = formatNumber(top.probability, 3);
      button.append(
        mark,
        element("span", { class: "legend-rank" }, `${k + 1}.`),
        " ",
        element("code", {}, top.token),
        " ",
        element("span", { class: "muted" }, `p = ${probability}`),
      );
      if (top.id === this.nextTokenId(entry)) button.append(" ", element("strong", {}, "✓ the real next token"));
      const item = element("li");
      item.append(button);
      return item;
    });
    this.ui.legend.replaceChildren(...items);
    if (this.pinned !== null && this.pinned >= entry.top.length) this.pinned = null;
  }

  nextTokenId(entry) {
    const next = this.data.tokens[entry.position + 1];
    return next ?? null;
  }

  renderScoreTable(entry) {
    const { stages } = this.data;
    const table = this.ui.scoreTable;
    const caption = element("caption", {}, `Position ${entry.position}: each top token's score, and its rank after the “#”, at every stage. The last column is the model's output.`);
    const head = element("thead");
    const headRow = element("tr");
    headRow.append(element("th", { scope: "col" }, "Token"), ...stages.map((s) => element("th", { scope: "col" }, s.label)));
    head.append(headRow);
    const body = element("tbody");
    for (const top of entry.top) {
      const row = element("tr");
      const name = element("th", { scope: "row" });
      name.append(element("code", {}, top.token));
      row.append(name);
      top.scores.forEach((score, s) => {
        const cell = element("td", {}, `${formatNumber(score)} `);
        cell.append(element("span", { class: "muted" }, `#${top.ranks[s]}`));
        row.append(cell);
      });
      body.append(row);
    }
    table.replaceChildren(caption, head, body);
  }

  renderHistogramTable(view) {
    const histogram = view.entry.histogram;
    const bins = element("table", { class: "lab-table" });
    bins.append(
      element("caption", {}, "Tokens per bin of standardised score (empty bins left out), with up to three of the highest-scoring tokens in each."),
      headerRow(["Standardised score", "Tokens", "Highest in the bin"]),
    );
    const binBody = element("tbody");
    histogram.counts[view.stage].forEach((count, b) => {
      if (!count) return;
      const row = element("tr");
      const examples = element("td");
      binExamples(view, b).forEach((token, i) => {
        if (i) examples.append(", ");
        examples.append(element("code", {}, token));
      });
      row.append(element("td", {}, binRange(view.binEdges, b)), element("td", {}, String(count)), examples);
      binBody.append(row);
    });
    bins.append(binBody);
    const tops = element("table", { class: "lab-table" });
    tops.append(element("caption", {}, "Where the ten top tokens fall at this stage."), headerRow(["Token", "Standardised score"]));
    const topBody = element("tbody");
    view.entry.top.forEach((top, k) => {
      const row = element("tr");
      const name = element("th", { scope: "row" });
      name.append(element("code", {}, top.token));
      row.append(name, element("td", {}, formatNumber(histogram.top_z[view.stage][k])));
      topBody.append(row);
    });
    tops.append(topBody);
    this.ui.histogramTable.replaceChildren(bins, tops);
  }
}

function headerRow(names) {
  const head = element("thead");
  const row = element("tr");
  row.append(...names.map((name) => element("th", { scope: "col" }, name)));
  head.append(row);
  return head;
}

const root = document.querySelector("[data-lab]");
if (root) root.lab = new Lab(root);
