// Numbers as the learner reads and types them: a few significant digits with exponents for
// the very large and small, and a strict reading of a typed logit with a message when it fails.

/** x with `digits` significant digits, e.g. 0.6590, 1.234e-10, 1.8e308, ∞, NaN. */
export function formatNumber(x, digits = 4) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "-∞";
  if (x === 0) return "0";
  const size = Math.abs(x);
  if (size >= 1e6 || size < 1e-4) {
    const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
    return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  }
  return trimZeros(x.toPrecision(digits));
}

/** A probability: four decimals, or an exponent below 0.0001 (so 3e-12 does not read as 0). */
export function formatProbability(p) {
  if (!Number.isFinite(p)) return formatNumber(p);
  if (p !== 0 && p < 1e-4) return formatNumber(p, 3);
  return p.toFixed(4);
}

/** A logit as typed back into its box: the shortest text that reads back as the same number. */
export function formatLogit(z) {
  return String(z);
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** Numbers as a tuple, e.g. (2, 1, 0.1). */
export function formatVector(values, format = formatNumber) {
  return `(${values.map((v) => format(v)).join(", ")})`;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A typed logit as {value} or {error}: plain decimal notation with an optional exponent
 * ("-2.5", "1e3"); a Unicode minus sign is accepted. Anything past float64's range is refused
 * with a message rather than silently becoming Infinity.
 */
export function parseLogit(text) {
  const cleaned = String(text).trim().replace(/\u2212/g, "-");
  if (cleaned === "") return { error: "Enter a number, for example 1.5." };
  if (!DECIMAL.test(cleaned)) {
    return { error: `“${cleaned}” is not a number. Use digits, a point and maybe an exponent: -2.5, 1e3.` };
  }
  const value = Number(cleaned);
  if (!Number.isFinite(value)) {
    return { error: `${cleaned} is too large for a float64 (the limit is about ±1.8e308).` };
  }
  return { value: value === 0 ? 0 : value }; // -0 reads as 0
}
