// The lab's data arrives as compact arrays, one per quantity with the position first (see
// lens/logit_lens.py). entryAt() gathers one position into the object the figures draw.

const EXAMPLES_PER_BIN = 3;

// The readable text of token `index` of the data's text.
export function tokenText(data, index) {
  return data.vocab[data.tokens[index]];
}

// One position's data: {position, token, next_token, top: [{id, token, scores, ranks,
// probability}], histogram: {mean, std, counts, top_z, examples: [stage][bin][ids]}}, or null
// when the data does not hold that position.
export function entryAt(data, position) {
  const column = data.positions.indexOf(position);
  if (column < 0) return null;
  const counts = data.counts[column];
  const flat = data.examples[column];
  let next = 0;
  const examples = counts.map((stage) =>
    stage.map((count) => {
      const shown = flat.slice(next, next + Math.min(count, EXAMPLES_PER_BIN));
      next += shown.length;
      return shown;
    }),
  );
  const last = data.tokens.length - 1;
  return {
    position,
    token: tokenText(data, position),
    next_token: position < last ? tokenText(data, position + 1) : null,
    top: data.top[column].map((id, k) => ({
      id,
      token: data.vocab[id],
      scores: data.scores[column][k],
      ranks: data.ranks[column][k],
      probability: data.probability[column][k],
    })),
    histogram: {
      mean: data.mean[column],
      std: data.std[column],
      counts,
      top_z: data.top_z[column],
      examples,
    },
  };
}
