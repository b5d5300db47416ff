// The visualizer's two bar charts: logits (drag a bar, or use the arrow keys on it) and the
// probabilities they give. Heights are set through CSSOM (el.style.height), which the
// Content-Security-Policy allows; there are no style attributes.

import { h, sub } from "./dom.js";
import { formatNumber, formatProbability } from "./numbers.js";

const LIMIT = 1e308; // a dragged logit stays a finite float64

/** Half of each, so that hi - lo cannot overflow when the logits are near ±1.8e308. */
function halfSpan(lo, hi) {
  return hi / 2 - lo / 2;
}

/** A round step (1, 2 or 5 times a power of ten) close to span / divisions. */
function niceStep(halfRange, divisions) {
  const raw = (2 * (halfRange / divisions)) || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled < 2 ? 1 : scaled < 5 ? 2 : 5) * power;
}

/** The vertical range [lo, hi] that shows every logit with some room, and 0 when it is near. */
export function logitRange(values) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const near = 4 * halfSpan(lo, hi) + 2; // keep the zero line when the logits are close to it
  if (lo > 0 && lo <= near) lo = 0;
  if (hi < 0 && -hi <= near) hi = 0;
  const pad = Math.max(1, halfSpan(lo, hi) * 0.3);
  const padded = [lo - pad, hi + pad];
  return padded.map((v) => Math.max(-LIMIT * 1.7, Math.min(LIMIT * 1.7, v)));
}

/** Where z sits between lo and hi, from 0 (bottom) to 1 (top), clamped. */
function fraction(z, [lo, hi]) {
  const f = (z / 2 - lo / 2) / halfSpan(lo, hi);
  return Math.max(0, Math.min(1, f));
}

function percent(f) {
  return `${(100 * f).toFixed(3)}%`;
}

export class Chart {
  /** onLogit(index, value) as a bar is dragged or moved with keys; onDragEnd() after a drag. */
  constructor(logitChart, probChart, { onLogit, onDragEnd }) {
    this.logitChart = logitChart;
    this.probChart = probChart;
    this.onLogit = onLogit;
    this.onDragEnd = onDragEnd;
    this.columns = [];
    this.range = [0, 1];
    this.drag = null; // {index, pointerId}: the range stays put while a bar is dragged
  }

  /** New columns, one per entry. */
  build(count) {
    this.columns = [];
    this.logitChart.replaceChildren();
    this.probChart.replaceChildren();
    for (let i = 0; i < count; i += 1) {
      const column = this.logitColumn(i);
      Object.assign(column, this.probColumn(i));
      this.columns.push(column);
    }
  }

  logitColumn(i) {
    const bar = h("div", { class: "viz-logit-bar" });
    const zero = h("div", { class: "viz-zero-line", "aria-hidden": "true" });
    const handle = h("div", {
      class: "viz-handle",
      role: "slider",
      tabindex: "0",
      "aria-label": `Drag logit z${i + 1}`,
      "aria-orientation": "vertical",
      dataset: { vizHandle: String(i) },
    });
    const track = h("div", { class: "viz-track viz-logit-track", dataset: { vizTrack: String(i) } }, zero, bar, handle);
    const value = h("span", { class: "viz-value", dataset: { vizLogitValue: String(i) } });
    this.logitChart.append(h("div", { class: "viz-column" }, track, value, h("span", { class: "viz-name" }, sub("z", i + 1))));
    track.addEventListener("pointerdown", (event) => this.startDrag(event, i, track));
    track.addEventListener("pointermove", (event) => this.moveDrag(event, track));
    track.addEventListener("pointerup", (event) => this.endDrag(event, track));
    track.addEventListener("pointercancel", (event) => this.endDrag(event, track));
    handle.addEventListener("keydown", (event) => this.key(event, i));
    return { track, bar, zero, handle, value };
  }

  probColumn(i) {
    const probBar = h("div", { class: "viz-prob-bar" });
    const probValue = h("span", { class: "viz-value", dataset: { vizProb: String(i) } });
    const tags = h("span", { class: "viz-tags" });
    const track = h("div", { class: "viz-track viz-prob-track", "aria-hidden": "true" }, probBar);
    this.probChart.append(
      h("div", { class: "viz-column" }, track, probValue, h("span", { class: "viz-name" }, sub("p", i + 1), tags)),
    );
    return { probBar, probValue, tags };
  }

  /** Bars, values and labels for these logits and probabilities. */
  draw(values, probs, { top, ratioI, ratioJ }) {
    if (!this.drag) this.range = logitRange(values);
    const range = this.range;
    const zeroAt = range[0] <= 0 && range[1] >= 0 ? fraction(0, range) : null;
    this.columns.forEach((column, i) => {
      const at = fraction(values[i], range);
      const base = zeroAt ?? 0;
      column.bar.style.bottom = percent(Math.min(at, base));
      column.bar.style.height = percent(Math.abs(at - base));
      column.bar.classList.toggle("negative", at < base);
      column.handle.style.bottom = percent(at);
      column.zero.hidden = zeroAt === null;
      if (zeroAt !== null) column.zero.style.bottom = percent(zeroAt);
      column.value.textContent = formatNumber(values[i], 5);
      column.handle.setAttribute("aria-valuenow", String(values[i]));
      column.handle.setAttribute("aria-valuemin", String(range[0]));
      column.handle.setAttribute("aria-valuemax", String(range[1]));
      column.handle.setAttribute(
        "aria-valuetext",
        `z${i + 1} = ${formatNumber(values[i], 5)}, probability ${formatProbability(probs[i])}`,
      );

      const p = probs[i];
      column.probBar.style.height = percent(Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0);
      column.probBar.classList.toggle("top", i === top);
      column.probValue.textContent = formatProbability(p);
      column.probValue.dataset.value = String(p);
      const tags = [];
      if (i === top) tags.push(h("span", { class: "viz-tag viz-tag-top", text: "top" }));
      if (i === ratioI) tags.push(h("span", { class: "viz-tag", text: "i" }));
      if (i === ratioJ) tags.push(h("span", { class: "viz-tag", text: "j" }));
      column.tags.replaceChildren(...tags);
    });
  }

  /** The logit at a pointer's height in a track, rounded to a step that suits the range. */
  valueAt(event, track, range) {
    const box = track.getBoundingClientRect();
    const f = (box.bottom - event.clientY) / box.height;
    const half = halfSpan(range[0], range[1]);
    const reach = half * Math.max(0, Math.min(1, f));
    const raw = range[0] + reach + reach; // 2 * half could overflow near ±1.8e308
    const step = niceStep(half, 200);
    const rounded = Math.round(raw / step) * step;
    const clean = Number(rounded.toPrecision(12)); // 2.3000000000000003 -> 2.3
    return Math.max(-LIMIT, Math.min(LIMIT, clean));
  }

  startDrag(event, index, track) {
    if (event.button !== 0 || this.drag) return;
    event.preventDefault();
    track.setPointerCapture(event.pointerId);
    this.drag = { index, pointerId: event.pointerId };
    track.classList.add("dragging");
    this.columns[index].handle.focus({ preventScroll: true });
    this.onLogit(index, this.valueAt(event, track, this.range));
  }

  moveDrag(event, track) {
    if (!this.drag || event.pointerId !== this.drag.pointerId) return;
    this.onLogit(this.drag.index, this.valueAt(event, track, this.range));
  }

  endDrag(event, track) {
    if (!this.drag || event.pointerId !== this.drag.pointerId) return;
    track.classList.remove("dragging");
    if (track.hasPointerCapture(event.pointerId)) track.releasePointerCapture(event.pointerId);
    this.drag = null;
    this.onDragEnd(); // redraw with a range fitted to the new logits
  }

  /** Arrow keys move a logit by a step (PageUp/PageDown by ten steps). */
  key(event, index) {
    const steps = { ArrowUp: 1, ArrowRight: 1, ArrowDown: -1, ArrowLeft: -1, PageUp: 10, PageDown: -10 };
    if (!(event.key in steps)) return;
    event.preventDefault();
    const current = Number(this.columns[index].handle.getAttribute("aria-valuenow"));
    const step = niceStep(halfSpan(this.range[0], this.range[1]), 20);
    const next = Number((current + steps[event.key] * step).toPrecision(12));
    this.onLogit(index, Math.max(-LIMIT, Math.min(LIMIT, next)));
  }
}
