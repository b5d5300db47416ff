// The softmax visualizer: editable logits, a temperature slider, probability bars, entropy,
// the ratio of two entries and the steps, all recomputed live by ./softmax.js.
// Started from [data-softmax-visualizer]; the server-rendered table stays for readers
// without JavaScript.

import { h, sub } from "./dom.js";
import { formatLogit, formatNumber, formatProbability, parseLogit } from "./numbers.js";
import * as softmax from "./softmax.js";
import { Chart } from "./visualizer-chart.js";
import { renderSteps } from "./visualizer-steps.js";

const MIN_ENTRIES = 1;
const MAX_ENTRIES = 12;
const SUMMARY_DELAY_MS = 600; // announce once the learner pauses, not on every slider tick

function parsePreset(text) {
  return text.split(",").map((part) => parseLogit(part).value);
}

class Visualizer {
  constructor(root) {
    this.root = root;
    this.el = (name) => root.querySelector(`[data-viz-${name}]`);
    this.entries = []; // {value: the last valid number, text: what the box shows, error}
    this.temperature = 1;
    this.ratio = [0, 1];
    this.mode = "stable";
    this.summaryTimer = null;
    this.chart = new Chart(this.el("logit-chart"), this.el("prob-chart"), {
      onLogit: (index, value) => this.setLogit(index, value),
      onDragEnd: () => this.update(),
    });
    this.wire();
    const first = root.querySelector("[data-viz-preset]");
    this.load(parsePreset(first.dataset.vizPreset));
    this.el("fallback").hidden = true;
    this.el("app").hidden = false;
  }

  wire() {
    this.el("add").addEventListener("click", () => this.add());
    for (const button of this.root.querySelectorAll("[data-viz-preset]")) {
      button.addEventListener("click", () => this.load(parsePreset(button.dataset.vizPreset)));
    }
    const slider = this.el("temperature");
    slider.addEventListener("input", () => this.setTemperature(10 ** Number(slider.value)));
    this.el("temperature-reset").addEventListener("click", () => {
      slider.value = "0";
      this.setTemperature(1);
    });
    this.el("ratio-i").addEventListener("change", (event) => this.setRatio(0, event.target.value));
    this.el("ratio-j").addEventListener("change", (event) => this.setRatio(1, event.target.value));
    const toggle = this.el("steps-toggle");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "Hide the steps" : "Show the steps";
      this.el("steps-panel").hidden = !open;
      this.update();
    });
    for (const radio of this.root.querySelectorAll("[data-viz-mode]")) {
      radio.addEventListener("change", () => {
        if (radio.checked) this.mode = radio.value;
        this.update();
      });
    }
  }

  get values() {
    return this.entries.map((entry) => entry.value);
  }

  /** Replace every entry with these logits (a preset). */
  load(values) {
    this.entries = values.map((value) => ({ value, text: formatLogit(value), error: null }));
    this.ratio = [0, Math.min(1, values.length - 1)];
    this.rebuild();
  }

  add() {
    if (this.entries.length >= MAX_ENTRIES) return;
    const value = Math.min(...this.values) - 1; // a new, least likely entry
    this.entries.push({ value, text: formatLogit(value), error: null });
    this.rebuild();
    this.inputs[this.entries.length - 1].focus();
  }

  remove(index) {
    if (this.entries.length <= MIN_ENTRIES) return;
    this.entries.splice(index, 1);
    this.ratio = this.ratio.map((r) => (r === index ? 0 : r > index ? r - 1 : r));
    this.rebuild();
    // Keep the keyboard where it was: on the next remove button, or the last box left.
    const next = Math.min(index, this.entries.length - 1);
    const button = this.root.querySelectorAll("[data-viz-remove]")[next];
    (button.disabled ? this.inputs[next] : button).focus();
  }

  /** A logit from a drag or the arrow keys: the box shows it too. */
  setLogit(index, value) {
    const entry = this.entries[index];
    entry.value = value;
    entry.text = formatLogit(value);
    entry.error = null;
    this.inputs[index].value = entry.text;
    this.showError(index);
    this.update();
  }

  /** What was typed in a box: used when it reads as a number, kept with a message when not. */
  typed(index, text) {
    const entry = this.entries[index];
    const parsed = parseLogit(text);
    entry.text = text;
    entry.error = parsed.error ?? null;
    if (!entry.error) entry.value = parsed.value;
    this.showError(index);
    this.update();
  }

  setTemperature(t) {
    this.temperature = t;
    const shown = t < 1 ? t.toFixed(2) : t.toPrecision(3);
    this.el("temperature-value").textContent = shown;
    this.el("temperature").setAttribute("aria-valuetext", `T = ${shown}`);
    this.update();
  }

  setRatio(which, value) {
    this.ratio[which] = Number(value);
    this.update();
  }

  /** Everything that depends on how many entries there are. */
  rebuild() {
    const list = this.el("entries");
    list.replaceChildren(...this.entries.map((entry, i) => this.entryItem(entry, i)));
    this.inputs = Array.from(list.querySelectorAll("input"));
    this.entries.forEach((_, i) => this.showError(i));
    for (const [which, select] of [[0, this.el("ratio-i")], [1, this.el("ratio-j")]]) {
      select.replaceChildren(...this.entries.map((_, i) => h("option", { value: String(i), text: `z${i + 1}` })));
      select.value = String(this.ratio[which]);
    }
    const full = this.entries.length >= MAX_ENTRIES;
    this.el("add").disabled = full;
    const single = this.entries.length <= MIN_ENTRIES;
    this.el("limit-note").textContent = full
      ? `At most ${MAX_ENTRIES} logits.`
      : single
        ? "At least one logit is needed."
        : "";
    this.chart.build(this.entries.length);
    this.root.querySelector(".viz-charts").classList.toggle("many", this.entries.length > 6);
    this.update();
  }

  entryItem(entry, i) {
    const id = `viz-z-${i}`;
    const input = h("input", {
      id,
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": `${id}-error`,
      dataset: { vizLogit: String(i) },
    });
    input.value = entry.text;
    input.addEventListener("input", () => this.typed(i, input.value));
    const remove = h("button", {
      type: "button",
      class: "secondary viz-remove",
      "aria-label": `Remove z${i + 1}`,
      title: `Remove z${i + 1}`,
      disabled: this.entries.length <= MIN_ENTRIES,
      dataset: { vizRemove: String(i) },
      text: "✕",
    });
    remove.addEventListener("click", () => this.remove(i));
    const error = h("p", { class: "viz-error", id: `${id}-error`, dataset: { vizError: String(i) }, hidden: true });
    return h(
      "li",
      { class: "viz-entry", dataset: { vizEntry: String(i) } },
      h("label", { for: id }, "Logit ", sub("z", i + 1)),
      input,
      remove,
      error,
    );
  }

  showError(index) {
    const entry = this.entries[index];
    const input = this.inputs[index];
    const error = this.root.querySelector(`[data-viz-error="${index}"]`);
    input.setAttribute("aria-invalid", String(Boolean(entry.error)));
    error.hidden = !entry.error;
    error.textContent = entry.error
      ? `⚠ ${entry.error} Still using the last valid value, ${formatNumber(entry.value, 6)}.`
      : "";
  }

  /** Recompute and redraw everything that depends on the numbers. */
  update() {
    const z = this.values;
    const t = this.temperature;
    const steps = softmax.stableSteps(z, t);
    const probs = steps.probs;
    const [i, j] = this.ratio;
    this.chart.draw(z, probs, { top: steps.top, ratioI: i, ratioJ: j });

    const nats = softmax.entropyFromLogits(z, t);
    this.el("entropy").textContent = `${formatNumber(nats, 4)} nats = ${formatNumber(nats / Math.LN2, 4)} bits`;
    this.el("entropy").dataset.value = String(nats);
    this.el("entropy-max").textContent = `(at most log ${z.length} = ${formatNumber(Math.log(z.length), 4)} nats, for equal logits)`;
    this.el("top").textContent = `${formatProbability(probs[steps.top])}, entry z${steps.top + 1}`;
    this.el("top").dataset.value = String(probs[steps.top]);
    const total = probs.reduce((a, b) => a + b, 0);
    this.el("sum").textContent = total.toFixed(12);
    this.el("sum").dataset.value = String(total);
    this.el("logsumexp").textContent = formatNumber(softmax.logsumexp(z, t), 6);

    this.showRatio(z, probs, i, j);
    if (!this.el("steps-panel").hidden) renderSteps(this.el("steps"), z, t, this.mode);
    this.announce(probs, steps.top, nats);
  }

  showRatio(z, probs, i, j) {
    const t = this.temperature;
    const { exponent, ratio } = softmax.probabilityRatio(z, t, i, j);
    const zj = z[j] < 0 ? `(${formatNumber(z[j], 6)})` : formatNumber(z[j], 6);
    const gap = `(${formatNumber(z[i], 6)} − ${zj}) / ${formatNumber(t, 3)}`;
    const output = this.el("ratio");
    const beyond = Number.isFinite(ratio) ? "" : " (beyond the largest float64)";
    output.textContent = `p${i + 1} / p${j + 1} = exp((z${i + 1} − z${j + 1}) / T) = exp(${gap}) = exp(${formatNumber(exponent, 6)}) = ${formatNumber(ratio, 6)}${beyond}`;
    output.dataset.value = String(ratio);
    const direct = probs[i] / probs[j];
    this.el("ratio-check").textContent = Number.isFinite(direct)
      ? `Check with the probabilities above: ${formatProbability(probs[i])} / ${formatProbability(probs[j])} = ${formatNumber(direct, 6)}.`
      : `Dividing the probabilities directly fails here (p${j + 1} rounds to 0), but the exponent of the gap still gives the ratio.`;
  }

  announce(probs, top, nats) {
    clearTimeout(this.summaryTimer);
    const text =
      `Temperature ${formatNumber(this.temperature, 3)}. Probabilities: ` +
      probs.map((p, k) => `z${k + 1} ${formatProbability(p)}`).join(", ") +
      `. Top: z${top + 1}. Entropy ${formatNumber(nats, 3)} nats.`;
    this.summaryTimer = setTimeout(() => {
      this.el("summary").textContent = text;
    }, SUMMARY_DELAY_MS);
  }
}

for (const root of document.querySelectorAll("[data-softmax-visualizer]")) {
  root.visualizer = new Visualizer(root);
}
