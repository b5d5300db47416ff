// Small SVG helpers for the lab's figures: elements, scales, ticks and marker shapes.
// Everything is set as attributes or CSS classes: the site's CSP forbids style attributes.

const NS = "http://www.w3.org/2000/svg";

export function svgElement(tag, attributes = {}, parent = null) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  if (parent) parent.appendChild(node);
  return node;
}

export function svgText(parent, x, y, text, attributes = {}) {
  const node = svgElement("text", { x, y, ...attributes }, parent);
  node.textContent = text;
  return node;
}

// A <title> child: browsers show it as a tooltip when the pointer rests on the parent.
export function svgTitle(parent, text) {
  svgElement("title", {}, parent).textContent = text;
}

// Remove what a previous drawing left, keeping the figure's own <title> and <desc>.
export function clearFigure(svg) {
  for (const child of [...svg.children]) {
    if (child.tagName !== "title" && child.tagName !== "desc") child.remove();
  }
}

export function linearScale([d0, d1], [r0, r1]) {
  const slope = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * slope;
}

// Round steps (1, 2, 2.5 or 5 times a power of ten) covering [low, high] in about `count` ticks.
export function niceTicks(low, high, count = 5) {
  const span = high - low;
  if (!(span > 0)) return [low];
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough);
  const ticks = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(10)));
  }
  return ticks;
}

// Ten hues that stay apart from each other and readable on white.
export const PALETTE = [
  "#2f5fd0",
  "#c2410c",
  "#15803d",
  "#b91c1c",
  "#7e22ce",
  "#8b5a2b",
  "#be185d",
  "#4b5563",
  "#a16207",
  "#0e7490",
];

function polygon(points) {
  return `M${points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join("L")}Z`;
}

function regular(sides, radius, turn = 0) {
  return Array.from({ length: sides }, (_, i) => {
    const angle = turn + (2 * Math.PI * i) / sides;
    return [radius * Math.sin(angle), -radius * Math.cos(angle)];
  });
}

function star(radius) {
  return Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 ? radius * 0.45 : radius;
    const angle = (Math.PI * i) / 5;
    return [r * Math.sin(angle), -r * Math.cos(angle)];
  });
}

function plus(radius, turn) {
  const a = radius;
  const b = radius * 0.36;
  const points = [
    [-b, -a], [b, -a], [b, -b], [a, -b], [a, b], [b, b],
    [b, a], [-b, a], [-b, b], [-a, b], [-a, -b], [-b, -b],
  ];
  const [c, s] = [Math.cos(turn), Math.sin(turn)];
  return points.map(([x, y]) => [x * c - y * s, x * s + y * c]);
}

// One shape per top token, so the tokens differ by more than colour.
const SHAPES = [
  (r) => `M${r},0A${r},${r} 0 1 1 ${-r},0A${r},${r} 0 1 1 ${r},0Z`,
  (r) => polygon(regular(4, r * 1.25, Math.PI / 4)),
  (r) => polygon(regular(3, r * 1.3)),
  (r) => polygon(regular(4, r * 1.3)),
  (r) => polygon(regular(3, r * 1.3, Math.PI)),
  (r) => polygon(plus(r * 1.25, 0)),
  (r) => polygon(plus(r * 1.25, Math.PI / 4)),
  (r) => polygon(star(r * 1.4)),
  (r) => polygon(regular(6, r * 1.15)),
  (r) => polygon(regular(5, r * 1.2)),
];

export function markerPath(index, radius = 4.5) {
  return SHAPES[index % SHAPES.length](radius);
}
