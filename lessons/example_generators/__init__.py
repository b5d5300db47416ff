"""Worked-example generators, one module per group of concepts.

Import `lessons.examples`, not these modules: it defines the contract (`Step`, `Example`,
`register`) and imports every module here so that `REGISTRY` is complete.

- `display`: numbers and vectors as LaTeX, rounded for reading
- `draws`: friendly random inputs (small integers, halves, one-decimal numbers)
- `foundations`: exponentials, dot products, entropy, derivatives, logistic regression
- `softmax`: probabilities, shift invariance, temperature, the two-class case
- `stability`: overflow, the max-shift, log-sum-exp
- `losses`: cross-entropy and its gradient
- `attention`: scaled dot products, padding and causal masks
- `decoding`: argmax, sampling, top-k / top-p, calibration by temperature
- `transformers`: unembedding a residual vector, the logit lens
"""
