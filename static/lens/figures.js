// The lab's three figures as SVG: logit evolution, rank evolution and the logit histogram.
// Each draw function takes the <svg> and a `view`: {stages, segments, entry, binEdges,
// vocab, vocabSize, stage}. `entry` is one position of the lens data (see entryAt in data.js).

import {
  PALETTE,
  clearFigure,
  linearScale,
  markerPath,
  niceTicks,
  svgElement,
  svgText,
  svgTitle,
} from "./svg.js";

const WIDTH = 720;
const LABEL_GAP = 13; // the least vertical room between two end-of-line labels

export function colourOf(k) {
  return PALETTE[k % PALETTE.length];
}

// "after the embedding", "after layer 2's MLP block", ... as the page writes stages in words.
export function stageName(stages, s) {
  const stage = stages[s];
  let name = "after the embedding";
  if (stage.kind === "attention") name = `after layer ${stage.layer}'s attention block`;
  if (stage.kind === "mlp") name = `after layer ${stage.layer}'s MLP block`;
  return s === stages.length - 1 ? `${name} (the output)` : name;
}

export function formatNumber(value, digits = 2) {
  return Number(value).toFixed(digits);
}

function signed(value, digits = 2) {
  return (value > 0 ? "+" : "") + formatNumber(value, digits);
}

// Ranks are drawn on a log scale and scores on a linear one; the rest of the chart is shared.
const LINE_FIGURES = {
  logits: {
    values: (top) => top.scores,
    axisTitle: "score (logit)",
    scale(view, top, bottom) {
      const all = view.entry.top.flatMap((t) => t.scores);
      const [low, high] = [Math.min(...all), Math.max(...all)];
      const pad = Math.max((high - low) * 0.06, 0.1);
      const ticks = niceTicks(low - pad, high + pad, 6);
      const domain = [Math.min(low - pad, ticks[0]), Math.max(high + pad, ticks.at(-1))];
      return { y: linearScale(domain, [bottom, top]), ticks, label: (v) => String(v) };
    },
  },
  ranks: {
    values: (top) => top.ranks,
    axisTitle: "rank (1 = top; log scale)",
    scale(view, top, bottom) {
      const last = Math.log(view.vocabSize);
      const y = (rank) => top + (Math.log(rank) / last) * (bottom - top);
      const ticks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].filter(
        (t) => t <= view.vocabSize && y(view.vocabSize) - y(t) > 10,
      );
      ticks.push(view.vocabSize);
      return { y, ticks, label: (v) => String(v) };
    },
  },
};

// Figure 1 (kind "logits") and figure 2 (kind "ranks").
export function drawLineFigure(svg, view, kind) {
  const figure = LINE_FIGURES[kind];
  const height = 380;
  const box = { left: 62, right: WIDTH - 128, top: 16, bottom: height - 58 };
  clearFigure(svg);
  const { stages, entry } = view;
  const step = (box.right - box.left) / (stages.length - 1);
  const x = (s) => box.left + s * step;
  const { y, ticks, label } = figure.scale(view, box.top, box.bottom);

  const band = svgElement("rect", {
    class: "stage-band",
    x: Math.max(box.left, x(view.stage) - step / 2),
    y: box.top,
    width: Math.min(box.right, x(view.stage) + step / 2) - Math.max(box.left, x(view.stage) - step / 2),
    height: box.bottom - box.top,
  }, svg);
  svgTitle(band, `The stage shown in the histogram: ${stageName(stages, view.stage)}`);

  const axes = svgElement("g", { class: "axes" }, svg);
  for (const tick of ticks) {
    svgElement("line", { class: "grid", x1: box.left, x2: box.right, y1: y(tick), y2: y(tick) }, axes);
    svgText(axes, box.left - 8, y(tick) + 4, label(tick), { class: "tick-label", "text-anchor": "end" });
  }
  stages.forEach((stage, s) => {
    svgElement("line", { class: "grid grid-stage", x1: x(s), x2: x(s), y1: box.top, y2: box.bottom }, axes);
    const [first, second] = stage.label.split(" ");
    const text = svgText(axes, x(s), box.bottom + 18, first, {
      class: s === view.stage ? "tick-label is-current" : "tick-label",
      "text-anchor": "middle",
    });
    if (second) svgElement("tspan", { x: x(s), dy: 14 }, text).textContent = second;
  });
  svgText(axes, 16, (box.top + box.bottom) / 2, figure.axisTitle, {
    class: "axis-title",
    "text-anchor": "middle",
    transform: `rotate(-90 16 ${(box.top + box.bottom) / 2})`,
  });

  // Worst token first, so the model's favourite is drawn on top.
  const labels = [];
  for (let k = entry.top.length - 1; k >= 0; k -= 1) {
    const top = entry.top[k];
    const values = figure.values(top);
    const group = svgElement("g", { class: "token-line", "data-k": k }, svg);
    for (const segment of view.segments) {
      svgElement("line", {
        class: `seg seg-${segment.kind}`,
        stroke: colourOf(k),
        x1: x(segment.from),
        y1: y(values[segment.from]),
        x2: x(segment.to),
        y2: y(values[segment.to]),
      }, group);
    }
    values.forEach((value, s) => {
      const point = svgElement("path", {
        class: "point",
        d: markerPath(k),
        fill: colourOf(k),
        transform: `translate(${x(s).toFixed(2)} ${y(value).toFixed(2)})`,
      }, group);
      svgTitle(point, `${top.token} ${stageName(stages, s)}: score ${formatNumber(top.scores[s])}, rank ${top.ranks[s]}`);
    });
    labels.push({ k, group, y: y(values.at(-1)), text: `${k + 1}. ${top.token}` });
  }
  placeEndLabels(labels, box, x(stages.length - 1));
  svg.dataset.position = entry.position;
  svg.dataset.stage = view.stage;
}

// Labels at the right end of each line, nudged apart so none overlaps another.
function placeEndLabels(labels, box, lastX) {
  const sorted = [...labels].sort((a, b) => a.y - b.y);
  let previous = -Infinity;
  for (const item of sorted) {
    item.at = Math.max(item.y, previous + LABEL_GAP);
    previous = item.at;
  }
  const overflow = (sorted.at(-1)?.at ?? 0) - (box.bottom + 6);
  if (overflow > 0) {
    let next = Infinity;
    for (const item of sorted.reverse()) {
      item.at = Math.min(item.at - overflow, next - LABEL_GAP);
      next = item.at;
    }
  }
  for (const item of labels) {
    if (Math.abs(item.at - item.y) > 2) {
      svgElement("line", { class: "leader", x1: lastX + 6, y1: item.y, x2: box.right + 8, y2: item.at, stroke: colourOf(item.k) }, item.group);
    }
    svgText(item.group, box.right + 10, item.at + 4, item.text, { class: "end-label", fill: colourOf(item.k) });
  }
}

// The figures' text alternative and the short finding printed under each.
export function describeLineFigure(view, kind) {
  const { stages, entry } = view;
  const winner = entry.top[0];
  if (kind === "logits") {
    let best = view.segments[0];
    for (const segment of view.segments) {
      const change = (s) => Math.abs(winner.scores[s.to] - winner.scores[s.from]);
      if (change(segment) > change(best)) best = segment;
    }
    const moved = winner.scores[best.to] - winner.scores[best.from];
    return (
      `“${winner.token}” ends with the highest score, ${formatNumber(winner.scores.at(-1))}; ` +
      `${stageName(stages, 0)} it scored ${formatNumber(winner.scores[0])}. ` +
      `The block that moved it most is layer ${stages[best.to].layer}'s ` +
      `${best.kind === "mlp" ? "MLP" : "attention"} block (${signed(moved)}).`
    );
  }
  let settled = stages.length - 1;
  while (settled > 0 && winner.ranks[settled - 1] === 1) settled -= 1;
  const start = `“${winner.token}” starts at rank ${winner.ranks[0]} of ${view.vocabSize} ${stageName(stages, 0)}`;
  const when = settled === stages.length - 1
    ? "and reaches rank 1 only at the output."
    : `and holds rank 1 from ${stageName(stages, settled).replace(/^after /, "")} on.`;
  return `${start} ${when}`;
}

// Figure 3: the z-scored histogram at the chosen stage, with the top tokens marked above it.
export function drawHistogram(svg, view) {
  const height = 440;
  const rows = 10; // room for every top token's label, even when all ten crowd together
  const rowHeight = 14;
  const box = { left: 62, right: WIDTH - 24, top: 18 + rows * rowHeight + 10, bottom: height - 56 };
  clearFigure(svg);
  const { entry, binEdges, stage } = view;
  const histogram = entry.histogram;
  const counts = histogram.counts[stage];
  const x = linearScale([binEdges[0], binEdges.at(-1)], [box.left, box.right]);
  // One vertical scale for every stage of this position, so the bars can be compared.
  const highest = Math.max(...histogram.counts.flat());
  const yTicks = niceTicks(0, highest, 5);
  const y = linearScale([0, Math.max(highest, yTicks.at(-1))], [box.bottom, box.top]);

  const axes = svgElement("g", { class: "axes" }, svg);
  for (const tick of yTicks) {
    svgElement("line", { class: "grid", x1: box.left, x2: box.right, y1: y(tick), y2: y(tick) }, axes);
    svgText(axes, box.left - 8, y(tick) + 4, String(tick), { class: "tick-label", "text-anchor": "end" });
  }
  for (let z = Math.ceil(binEdges[0]); z <= binEdges.at(-1); z += 1) {
    svgElement("line", { class: "tick", x1: x(z), x2: x(z), y1: box.bottom, y2: box.bottom + 5 }, axes);
    svgText(axes, x(z), box.bottom + 19, String(z), { class: "tick-label", "text-anchor": "middle" });
  }
  svgElement("line", { class: "mean-line", x1: x(0), x2: x(0), y1: box.top, y2: box.bottom }, axes);
  svgText(axes, x(0), box.bottom + 33, "(mean)", { class: "tick-label", "text-anchor": "middle" });
  svgText(axes, (box.left + box.right) / 2, height - 6, "standardised score: standard deviations above this stage's mean", {
    class: "axis-title",
    "text-anchor": "middle",
  });
  svgText(axes, 16, (box.top + box.bottom) / 2, "tokens per bin", {
    class: "axis-title",
    "text-anchor": "middle",
    transform: `rotate(-90 16 ${(box.top + box.bottom) / 2})`,
  });

  const bars = svgElement("g", { class: "bins", role: "list", "aria-label": "Bins of the histogram" }, svg);
  let first = true;
  counts.forEach((count, b) => {
    if (!count) return;
    const barTop = Math.min(y(count), box.bottom - 2); // a lone token still shows
    const bar = svgElement("rect", {
      class: "bin",
      x: x(binEdges[b]) + 0.5,
      y: barTop,
      width: Math.max(1, x(binEdges[b + 1]) - x(binEdges[b]) - 1),
      height: box.bottom - barTop,
      role: "listitem",
      tabindex: first ? 0 : -1,
      "data-bin": b,
      "aria-label": binSummary(view, b),
    }, bars);
    first = false;
    bar.dataset.count = count;
  });
  svgElement("line", { class: "axis", x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom }, axes);

  placeTopMarkers(svg, view, x, { top: 18, rowHeight, rows, bottom: box.bottom, left: box.left, right: box.right });
  svg.dataset.position = entry.position;
  svg.dataset.stage = stage;
}

// The top tokens in rows above the bars: each row holds markers whose labels do not collide.
function placeTopMarkers(svg, view, x, area) {
  const zs = view.entry.histogram.top_z[view.stage];
  const low = view.binEdges[0];
  const high = view.binEdges.at(-1);
  const occupied = Array.from({ length: area.rows }, () => []);
  view.entry.top.forEach((top, k) => {
    const z = zs[k];
    const at = x(Math.min(Math.max(z, low), high));
    const text = top.token;
    const width = 12 + 7 * [...text].length;
    const leftward = at + width > area.right;
    const span = leftward ? [at - width, at + 6] : [at - 6, at + width];
    let row = occupied.findIndex((taken) => taken.every(([a, b]) => span[1] + 3 < a || span[0] - 3 > b));
    const labelled = row >= 0;
    if (!labelled) row = area.rows - 1;
    occupied[row].push(labelled ? span : [at - 6, at + 6]);
    const markerY = area.top + row * area.rowHeight + area.rowHeight / 2;
    const group = svgElement("g", { class: "token-line top-marker", "data-k": k }, svg);
    svgTitle(group, `${k + 1}. ${top.token}: standardised score ${formatNumber(z)}`);
    svgElement("line", { class: "guide", x1: at, x2: at, y1: markerY + 5, y2: area.bottom, stroke: colourOf(k) }, group);
    svgElement("path", { class: "point", d: markerPath(k), fill: colourOf(k), transform: `translate(${at.toFixed(2)} ${markerY})` }, group);
    if (labelled) {
      svgText(group, leftward ? at - 9 : at + 9, markerY + 4, text, {
        class: "marker-label",
        fill: colourOf(k),
        "text-anchor": leftward ? "end" : "start",
      });
    }
  });
}

export function binRange(binEdges, b) {
  if (b === 0) return `below ${formatNumber(binEdges[1], 1)}`;
  if (b === binEdges.length - 2) return `${formatNumber(binEdges[b], 1)} or more`;
  return `${formatNumber(binEdges[b], 1)} to ${formatNumber(binEdges[b + 1], 1)}`;
}

export function binExamples(view, b) {
  return view.entry.histogram.examples[view.stage][b].map((id) => view.vocab[id]);
}

function binSummary(view, b) {
  const count = view.entry.histogram.counts[view.stage][b];
  const examples = binExamples(view, b).join(", ");
  return `${binRange(view.binEdges, b)}: ${count} token${count === 1 ? "" : "s"}; highest: ${examples}`;
}

export function describeHistogram(view) {
  const zs = view.entry.histogram.top_z[view.stage];
  const winner = view.entry.top[0];
  return (
    `Histogram of all ${view.vocabSize} standardised scores ${stageName(view.stages, view.stage)}. ` +
    `The model's final favourite “${winner.token}” lies ${formatNumber(zs[0])} standard deviations ` +
    `from this stage's mean; the ten top tokens lie between ${formatNumber(Math.min(...zs))} and ` +
    `${formatNumber(Math.max(...zs))}.`
  );
}

// Fade every token but `k` (or show all when `k` is null) in one figure.
export function highlightToken(svg, k) {
  svg.classList.toggle("has-highlight", k !== null);
  for (const group of svg.querySelectorAll(".token-line")) {
    group.classList.toggle("is-highlighted", k !== null && Number(group.dataset.k) === k);
  }
}
