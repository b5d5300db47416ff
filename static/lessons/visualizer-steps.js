// "Show the steps": the softmax of the current logits worked out, the stable way (subtract
// the maximum, exponentiate, sum, divide) or the naive way, which overflows on big logits.

import { h, sub } from "./dom.js";
import { formatNumber, formatProbability, formatVector } from "./numbers.js";
import { naiveSteps, stableSteps } from "./softmax.js";

const EXP_LIMIT = Math.log(Number.MAX_VALUE); // 709.78...: exp of anything larger is Infinity

function n(x) {
  return formatNumber(x, 6);
}

/** A table cell that says "overflow" or "not a number" in words as well as the symbol. */
function cell(x, format = n) {
  const text = format(x);
  if (x === Infinity) return h("td", { class: "viz-bad" }, text, " ", h("span", { class: "viz-tag viz-tag-bad", text: "overflow" }));
  if (Number.isNaN(x)) return h("td", { class: "viz-bad" }, text, " ", h("span", { class: "viz-tag viz-tag-bad", text: "not a number" }));
  return h("td", {}, text);
}

function table(headings, rows) {
  return h(
    "table",
    { class: "viz-steps-table" },
    h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
    h("tbody", {}, rows),
  );
}

function temperatureNote(t) {
  return t === 1 ? "" : ` and divide by T = ${formatNumber(t, 4)}`;
}

function stable(logits, t) {
  const s = stableSteps(logits, t);
  const top = s.top + 1;
  const list = h(
    "ol",
    { class: "viz-step-list" },
    h("li", {}, h("strong", { text: "Find the maximum. " }), `m = max z = ${n(s.max)} (entry z${top}).`),
    h(
      "li",
      {},
      h("strong", { text: "Subtract it" + temperatureNote(t) + ". " }),
      `The exponents (z − m)${t === 1 ? "" : " / T"} = ${formatVector(s.d, n)} are all ≤ 0, and the maximum's is exactly 0.`,
      s.scaledFirst ? " (The gaps were too wide for a float64, so each logit was divided by T before subtracting, as the engine does.)" : "",
    ),
    h(
      "li",
      {},
      h("strong", { text: "Exponentiate. " }),
      `e = exp(…) = ${formatVector(s.exps, n)}: each lies between 0 and 1, so nothing can overflow.`,
    ),
    h(
      "li",
      {},
      h("strong", { text: "Sum. " }),
      `S = ${n(s.total)}, at least 1 because the maximum contributes exp(0) = 1: no division by 0 is possible.`,
    ),
    h(
      "li",
      {},
      h("strong", { text: "Divide. " }),
      `p = e / S = ${formatVector(s.probs, formatProbability)}, which adds up to 1.`,
    ),
  );
  const rows = logits.map((z, i) =>
    h("tr", {}, h("th", { scope: "row" }, sub("z", i + 1)), h("td", { text: n(z) }), cell(s.d[i]), cell(s.exps[i]), cell(s.probs[i], formatProbability)),
  );
  const shifted = t === 1 ? "z − m" : "(z − m) / T";
  const verdict = h("p", { class: "viz-verdict viz-verdict-good" }, "✓ Stable: every exponent is at most 0, so the result is right for any finite logits.");
  return [list, table(["Entry", "Logit z", shifted, `e = exp(${shifted})`, "p = e / S"], rows), verdict];
}

function naive(logits, t) {
  const s = naiveSteps(logits, t);
  const good = stableSteps(logits, t).probs;
  const scaled = t === 1 ? "z" : "z / T";
  const biggest = Math.max(...s.scaled);
  const overflowText = s.overflowed
    ? `exp(${n(biggest)}) = ∞: a float64 holds at most about 1.8e308, so exp overflows for anything above ${n(EXP_LIMIT)}.`
    : `every exp(${scaled}) is finite here (the largest exponent, ${n(biggest)}, is below ${n(EXP_LIMIT)}).`;
  const list = h(
    "ol",
    { class: "viz-step-list" },
    h("li", {}, h("strong", { text: "No shift. " }), `The exponents are the raw ${scaled} = ${formatVector(s.scaled, n)}.`),
    h("li", {}, h("strong", { text: "Exponentiate. " }), `e = ${formatVector(s.exps, n)}: ${overflowText}`),
    h("li", {}, h("strong", { text: "Sum. " }), `S = ${n(s.total)}.`),
    h(
      "li",
      {},
      h("strong", { text: "Divide. " }),
      `p = e / S = ${formatVector(s.probs, formatProbability)}`,
      s.total === Infinity ? ": ∞ / ∞ is NaN (not a number), and a finite e divided by ∞ is 0." : ".",
    ),
  );
  const rows = logits.map((z, i) =>
    h("tr", {}, h("th", { scope: "row" }, sub("z", i + 1)), cell(s.scaled[i]), cell(s.exps[i]), cell(s.probs[i], formatProbability)),
  );
  let verdict;
  if (s.failed) {
    const why = s.overflowed
      ? "Overflow: exp of a large logit is ∞, the sum is ∞, and ∞ / ∞ is NaN."
      : "Underflow: every exponential rounded to 0, so the sum is 0 and 0 / 0 is NaN.";
    verdict = h(
      "p",
      { class: "viz-verdict viz-verdict-bad", dataset: { vizNaiveFailed: "true" } },
      `⚠ The naive way breaks on these logits. ${why} The stable way gives ${formatVector(good, formatProbability)}.`,
    );
  } else {
    let worst = 0;
    s.probs.forEach((p, i) => {
      worst = Math.max(worst, Math.abs(p - good[i]));
    });
    verdict = h(
      "p",
      { class: "viz-verdict viz-verdict-good", dataset: { vizNaiveFailed: "false" } },
      `✓ No overflow here: the naive and stable ways agree (largest difference ${formatNumber(worst, 2)}). Try the 1000, 1001, 999 preset to see it break.`,
    );
  }
  return [list, table(["Entry", scaled, `e = exp(${scaled})`, "p = e / S"], rows), verdict];
}

/** Fill the container with the steps for these logits at temperature t. */
export function renderSteps(container, logits, t, mode) {
  container.replaceChildren(...(mode === "naive" ? naive(logits, t) : stable(logits, t)));
}
