// The softmax engine's algorithm for one logit vector, in the browser.
//
// PURE: no DOM. Mirrors lessons/engine.py step for step (subtract the maximum, divide by the
// temperature, exponentiate, sum, multiply by 1 / sum; logarithms keep the maximum's own
// term out of the sum and add it back with log1p), so the two agree to rounding; the
// browser tests (tests/browser/test_visualizer.py) hold them together. Only the order of the
// additions differs (NumPy sums pairwise), which moves results by an ulp or so, not more.

export class SoftmaxError extends Error {}

/** A validated temperature: a finite number > 0, as the engine requires. */
export function checkTemperature(temperature) {
  const t = Number(temperature);
  if (typeof temperature !== "number" || !Number.isFinite(t) || !(t > 0)) {
    throw new SoftmaxError(`temperature must be a finite number greater than 0, got ${temperature}`);
  }
  return t;
}

/** The logits as finite-or-(-inf) numbers; NaN and +inf are refused as in the engine. */
function checkLogits(logits) {
  const z = Array.from(logits, Number);
  for (const value of z) {
    if (Number.isNaN(value)) throw new SoftmaxError("logits contain NaN");
    if (value === Infinity) {
      throw new SoftmaxError("logits contain +inf; probabilities need finite scores (or -inf)");
    }
  }
  return z;
}

/** Index of the first largest logit (argmax, lowest index on ties). */
function firstMax(z) {
  let index = 0;
  for (let i = 1; i < z.length; i += 1) if (z[i] > z[index]) index = i;
  return index;
}

/**
 * The exponents d_i = (z_i - m) / T, each <= 0 and 0 at the maximum.
 *
 * As in the engine's _guarded: for T > 1, a gap z_i - m too wide for a float64 would become
 * -Infinity although dividing by T could bring it back into range, so then both are divided
 * by T first. For T <= 1 an overflowing gap really is below the range: exp gives 0, rightly.
 */
function exponents(z, m, t) {
  const plain = z.map((value) => (t === 1 ? value - m : (value - m) / t));
  const overflowed = t > 1 && z.some((value, i) => Number.isFinite(value) && !Number.isFinite(plain[i]));
  if (!overflowed) return { d: plain, scaledFirst: false };
  return { d: z.map((value) => value / t - m / t), scaledFirst: true };
}

function sum(values) {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * Every intermediate of the stable softmax of z / T: the maximum, the exponents, their
 * exponentials, the sum and the probabilities. A row of only -inf gives zeros, as in the engine.
 */
export function stableSteps(logits, temperature = 1) {
  const t = checkTemperature(temperature);
  const z = checkLogits(logits);
  if (z.length === 0) {
    return { max: -Infinity, top: -1, d: [], exps: [], total: 0, probs: [], scaledFirst: false };
  }
  const top = firstMax(z);
  const masked = z[top] === -Infinity; // every logit is -inf: nothing to normalise
  const m = masked ? 0 : z[top]; // shifting -inf by -inf would give NaN
  const { d, scaledFirst } = exponents(z, m, t);
  const exps = d.map(Math.exp);
  const total = sum(exps);
  // One division, then a multiplication per entry, rounded exactly as the engine rounds.
  const scale = 1 / (masked ? 1 : total);
  const probs = exps.map((e) => e * scale);
  return { max: z[top], top, d, exps, total, probs, scaledFirst };
}

/** Probabilities exp(z/T) / sum exp(z/T), shifted by the max so nothing overflows. */
export function softmax(logits, temperature = 1) {
  return stableSteps(logits, temperature).probs;
}

/**
 * The textbook exp(z/T) / sum exp(z/T) with no shift, to show it overflow: exp(1000) is
 * Infinity, the sum is Infinity, and Infinity / Infinity is NaN. No checks, on purpose.
 */
export function naiveSteps(logits, temperature = 1) {
  const t = Number(temperature);
  const scaled = Array.from(logits, (value) => (t === 1 ? Number(value) : Number(value) / t));
  const exps = scaled.map(Math.exp);
  const total = sum(exps);
  const probs = exps.map((e) => e / total);
  const overflowed = exps.some((e) => e === Infinity);
  const failed = probs.some((p) => !Number.isFinite(p));
  return { scaled, exps, total, probs, overflowed, failed };
}

/** The naive softmax's probabilities (NaN where the textbook formula breaks). */
export function naiveSoftmax(logits, temperature = 1) {
  return naiveSteps(logits, temperature).probs;
}

/**
 * The shared part of the logarithms: exponents d, the argmax, and rest = the sum of exp(d)
 * over every position but the maximum's (whose exp(0) = 1 would round tiny terms away).
 */
function held(logits, temperature) {
  const t = checkTemperature(temperature);
  const z = checkLogits(logits);
  const top = firstMax(z);
  const masked = z[top] === -Infinity;
  const m = masked ? 0 : z[top];
  const { d } = exponents(z, m, t);
  const exps = d.map(Math.exp);
  exps[top] = 0;
  return { z, t, m, d, exps, rest: sum(exps), masked };
}

/** log(sum(exp(z / T))) without overflow: m / T + log1p(sum of the other terms). */
export function logsumexp(logits, temperature = 1) {
  if (logits.length === 0) return -Infinity; // the log of an empty sum
  const { t, m, rest, masked } = held(logits, temperature);
  if (masked) return -Infinity;
  return (t === 1 ? m : m / t) + Math.log1p(rest);
}

/** Log-probabilities z/T - logsumexp(z/T), exact for confident rows (never log(softmax)). */
export function logSoftmax(logits, temperature = 1) {
  if (logits.length === 0) return [];
  const { d, rest } = held(logits, temperature);
  const log1pRest = Math.log1p(rest);
  return d.map((value) => value - log1pRest);
}

/** Shannon entropy -sum p log p in nats, with 0 log 0 = 0; probs are used as given. */
export function entropy(probs) {
  let total = 0;
  for (const p of probs) {
    if (Number.isNaN(p)) throw new SoftmaxError("probabilities contain NaN");
    if (!(p >= 0) || !Number.isFinite(p)) {
      throw new SoftmaxError("probabilities must be finite and non-negative");
    }
    if (p > 0) total += p * Math.log(p);
  }
  return -total;
}

/**
 * Entropy of softmax(z/T) in nats from the logits, without ever taking log(p):
 * H = log1p(rest) + sum_i p_i (m - z_i) / T, both terms >= 0, so nothing cancels.
 */
export function entropyFromLogits(logits, temperature = 1) {
  if (logits.length === 0) return 0;
  const { d, exps, rest } = held(logits, temperature);
  let weighted = 0;
  exps.forEach((e, i) => {
    const term = e * d[i];
    if (!Number.isNaN(term)) weighted += term; // 0 * -inf counts as 0
  });
  return Math.log1p(rest) + -weighted / (1 + rest);
}

/** The ratio p_i / p_j = exp((z_i - z_j) / T): only the gap between two logits matters. */
export function probabilityRatio(logits, temperature, i, j) {
  const t = checkTemperature(temperature);
  const z = checkLogits(logits);
  const exponent = (z[i] - z[j]) / t;
  return { exponent, ratio: Math.exp(exponent) };
}
