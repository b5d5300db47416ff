// The tech tree as an interactive map (Cytoscape.js, vendored), drawn where the server placed
// each concept (techtree.layout). The tree page fetches its data from JSON endpoints: a small
// tree whole, a large one as an overview of clusters whose concepts are fetched by tile as the
// learner zooms in and by neighbourhood as they select one (techtree.tree_map). The dashboard
// passes its tree through json_script and is laid out here (dagre). The list below the graph
// needs no script. On the tree page (inside [data-tree-map]) a tap selects a concept and
// highlights what stands behind it and what it unlocks; elsewhere a tap opens the concept.

const LARGE_TREE = 400; // above this, place nodes by depth directly instead of running dagre

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

// The palette index comes with the data (techtree.palette computes it, for the pages too).
const NO_DOMAIN_COLOUR = "#5c5f66";

function domainColour(index) {
  return cssVar(`--domain-${index}`, NO_DOMAIN_COLOUR);
}

// The palette's indices, as many as site.css defines colours (--domain-0, --domain-1, ...).
function domainIndices() {
  const indices = [];
  while (indices.length < 64 && cssVar(`--domain-${indices.length}`, "")) indices.push(indices.length);
  return indices;
}

// A learner's status is shown in words, a mark and a border style, not only by the fill.
// The legend's samples in tree.css use the same marks.
const STATUS_LOOK = {
  locked: { fill: "#eceef1", mark: "", border: "dashed", borderWidth: 2 },
  available: { fill: "#e6edfb", mark: "○ ", border: "solid", borderWidth: 3 },
  "in progress": { fill: "#fdf1dc", mark: "◐ ", border: "double", borderWidth: 5 },
  mastered: { fill: "#e3f4ea", mark: "✓ ", border: "solid", borderWidth: 3 },
  // Mastered and due for review (review app): still open, never re-locked.
  "review due": { fill: "#f3ecfb", mark: "↻ ", border: "dotted", borderWidth: 4 },
  // Mastered by a test-out or the placement, not by practice (placement app).
  placed: { fill: "#e3f4ea", mark: "✓̲ ", border: "dashed", borderWidth: 3 },
};
// All three count as mastered for paths and prerequisites.
const MASTERED = new Set(["mastered", "review due", "placed"]);
const NO_STATUS = { fill: "#ffffff", mark: "", border: "solid", borderWidth: 3 };

// A padlock for locked concepts, drawn as an image so it never depends on an emoji font.
const LOCK_ICON = `data:image/svg+xml,${encodeURIComponent(
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 12 14' width='12' height='14'>" +
    "<path d='M3.2 6.5V4.3a2.8 2.8 0 0 1 5.6 0v2.2' fill='none' stroke='#4a5468' stroke-width='1.6'/>" +
    "<rect x='1' y='6.3' width='10' height='7.2' rx='1.6' fill='#4a5468'/></svg>",
)}`;
const LOCK_ROOM = 18; // extra width on locked boxes so the padlock never covers the text

function stars(n) {
  return "★".repeat(n) + "☆".repeat(5 - n);
}

// Written as Cytoscape writes a label's font, so both measure a line under the same key.
const FONT = "normal normal 12px system-ui, sans-serif";
const LINE_HEIGHT = 15;
const MAX_LABEL_WIDTH = 190;

// Box sizes from the measured label: Cytoscape's own `width: label` is deprecated.
function labelBox(lines) {
  let widest = 0;
  let rows = 0;
  for (const line of lines) {
    const width = lineWidth(FONT, line);
    widest = Math.max(widest, Math.min(width, MAX_LABEL_WIDTH));
    rows += Math.max(1, Math.ceil(width / MAX_LABEL_WIDTH));
  }
  return { width: Math.ceil(widest) + 20, height: rows * LINE_HEIGHT + 16 };
}

let measuring = null; // one canvas for every label measured (creating one costs a context)

function labelContext() {
  if (!measuring) {
    measuring = document.createElement("canvas").getContext("2d");
    measuring.font = FONT;
  }
  return measuring;
}

// Line widths by font and text, measured once. Most lines repeat from concept to concept
// (a domain and its stars, a status), and Cytoscape measures each line of a label again
// every time it wraps or sizes one: measuring text was a large part of styling the
// concepts a select draws (bench/tree_map.py).
const LINE_WIDTHS_KEPT = 20000;
const lineWidths = new Map();
let measuringFont = FONT;

function lineWidth(font, line) {
  const key = `${font}\u0000${line}`;
  let width = lineWidths.get(key);
  if (width === undefined) {
    const context = labelContext();
    if (font !== measuringFont) {
      context.font = font;
      measuringFont = font;
    }
    width = context.measureText(line).width;
    if (lineWidths.size >= LINE_WIDTHS_KEPT) lineWidths.clear();
    lineWidths.set(key, width);
  }
  return width;
}

/**
 * Cytoscape's label measure (3.34, `calculateLabelDimensions` of its canvas renderer) with
 * the widths above: the same font string, the same sums (widest line rounded up, one font
 * size per line). Labels measured by glyph are left to Cytoscape.
 */
function measureLabelsOnce(cy) {
  const renderer = cy.renderer();
  const measure = renderer.calculateLabelDimensions;
  renderer.calculateLabelDimensions = function (ele, text) {
    if (ele.pstyle("text-metrics").strValue === "glyph") return measure.call(this, ele, text);
    const size = ele.pstyle("font-size").pfValue;
    const font = `${ele.pstyle("font-style").strValue} ${ele.pstyle("font-weight").strValue} ${size}px ${ele.pstyle("font-family").strValue}`;
    const lines = text.split("\n");
    let width = 0;
    for (const line of lines) width = Math.max(width, Math.ceil(lineWidth(font, line)));
    return { width, height: size * lines.length, labelActualAscent: 0, labelActualDescent: 0 };
  };
}

// Everything a concept's box shows and is sized by, from its data and status.
function nodeData(node) {
  const look = STATUS_LOOK[node.status] || NO_STATUS;
  const lines = [node.title, `${node.domain} · ${stars(node.difficulty)}`];
  if (node.status) lines.push(`${look.mark}${node.status}`);
  const box = labelBox(lines);
  if (node.status === "locked") box.width += LOCK_ROOM;
  return {
    ...node,
    label: lines.join("\n"),
    colour: domainColour(node.domain_index),
    fill: look.fill,
    border: look.border,
    borderWidth: look.borderWidth,
    ...box,
  };
}

function nodeElement(node) {
  const element = { group: "nodes", data: nodeData(node) };
  if (Number.isFinite(node.x) && Number.isFinite(node.y)) {
    element.position = { x: node.x, y: node.y }; // laid out on the server (techtree.layout)
  }
  return element;
}

function edgeElement(edge) {
  return {
    group: "edges",
    data: { id: edgeId(edge.source, edge.target), source: edge.source, target: edge.target },
  };
}

function elementsFrom(data) {
  return [...data.nodes.map(nodeElement), ...data.edges.map(edgeElement)];
}

function edgeId(source, target) {
  return `${source}->${target}`;
}

const ROW_GAP = 70;
const NODE_GAP = 24;

// Rows by depth, each row ordered by `orderOf` (a node's preferred x) and spaced so that
// boxes never overlap. Dagre's ranks follow its own optimisation, not our depth, so we
// keep its left-to-right order (which reduces crossings) and put each concept on its row.
function depthRows(nodes, orderOf) {
  const rows = new Map();
  for (const node of nodes) {
    const depth = node.data("depth");
    if (!rows.has(depth)) rows.set(depth, []);
    rows.get(depth).push(node);
  }
  const tallest = Math.max(...nodes.map((n) => n.data("height")));
  const positions = new Map();
  for (const [depth, row] of rows) {
    row.sort((a, b) => orderOf(a) - orderOf(b));
    let x = 0;
    const placed = row.map((node) => {
      const width = node.data("width");
      const centre = Math.max(orderOf(node), x + width / 2);
      x = centre + width / 2 + NODE_GAP;
      return [node, centre];
    });
    const shift = (placed[0][1] + placed[placed.length - 1][1]) / 2 - avgOrder(row, orderOf);
    for (const [node, centre] of placed) {
      positions.set(node.id(), { x: centre - shift, y: depth * (tallest + ROW_GAP) });
    }
  }
  return positions;
}

function avgOrder(row, orderOf) {
  return row.reduce((sum, node) => sum + orderOf(node), 0) / row.length;
}

export function graphStyle({ large = false, clusters = false } = {}) {
  const selected = cssVar("--map-selected", "#ffb000");
  const prerequisite = cssVar("--map-prerequisite", "#2f5fd0");
  const unlock = cssVar("--map-unlock", "#8a3ea8");
  const path = cssVar("--map-path", "#b35c00");
  const halo = (colour, opacity, padding) => ({
    "underlay-color": colour,
    "underlay-opacity": opacity,
    "underlay-padding": padding,
    "underlay-shape": "round-rectangle",
  });
  return [
    {
      selector: "node",
      style: {
        shape: "round-rectangle",
        width: "data(width)",
        height: "data(height)",
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": `${MAX_LABEL_WIDTH}px`,
        "text-valign": "center",
        "text-halign": "center",
        "font-size": "12px",
        "font-family": "system-ui, sans-serif",
        "line-height": LINE_HEIGHT / 12,
        // Tiny labels cost time to draw and cannot be read: skip them on large trees.
        "min-zoomed-font-size": large ? 7 : 0,
        color: "#1d2433",
        "background-color": NO_STATUS.fill,
        "border-width": NO_STATUS.borderWidth,
        "border-style": NO_STATUS.border,
        "border-color": NO_DOMAIN_COLOUR,
      },
    },
    // Looks by status and colours by domain as rules, not read from each concept's data:
    // a mapped value is parsed again for every element styled, which was half of what a
    // select spent styling the concepts it drew (bench/tree_map.py).
    ...Object.entries(STATUS_LOOK).map(([status, look]) => ({
      selector: `node[status = "${status}"]`,
      style: {
        "background-color": look.fill,
        "border-width": look.borderWidth,
        "border-style": look.border,
      },
    })),
    ...domainIndices().map((index) => ({
      selector: `node[domain_index = ${index}]`,
      style: { "border-color": domainColour(index) },
    })),
    {
      selector: 'node[status = "locked"]',
      style: {
        color: "#4a5468",
        "background-image": LOCK_ICON,
        "background-width": 10,
        "background-height": 12,
        "background-position-x": 7,
        "background-position-y": 6,
        "background-fit": "none",
        "background-clip": "none",
        "background-image-containment": "over",
      },
    },
    {
      selector: "edge",
      style: {
        width: 1.6,
        "curve-style": large ? "haystack" : "bezier",
        "line-color": "#9aa1ad",
        "target-arrow-color": "#9aa1ad",
        "target-arrow-shape": large ? "none" : "triangle",
        "arrow-scale": 0.9,
      },
    },
    { selector: "node:active, node.hover", style: { "background-color": "#e6edfb" } },
    { selector: ".dimmed", style: { opacity: 0.2 } },
    { selector: "node.prerequisite", style: halo(prerequisite, 0.45, 6) },
    { selector: "node.unlock", style: halo(unlock, 0.45, 6) },
    { selector: "node.on-path", style: halo(path, 0.45, 6) },
    { selector: "node.on-path.path-done", style: { "underlay-opacity": 0.18 } },
    {
      selector: "node.step-badge",
      style: {
        events: "no",
        "background-color": path,
        "border-color": "#ffffff",
        "border-width": 2,
        "border-style": "solid",
        "font-size": "11px",
        "font-weight": "bold",
        "min-zoomed-font-size": 0,
        color: "#ffffff",
        "z-index": 20,
      },
    },
    { selector: "node.step-badge.step-done", style: { "background-color": cssVar("--good", "#1f7a4d") } },
    { selector: "node.selected-concept", style: { ...halo(selected, 0.95, 8), "z-index": 10 } },
    {
      selector: "edge.prerequisite-link",
      style: { width: 3, "line-color": prerequisite, "target-arrow-color": prerequisite, "z-index": 5 },
    },
    {
      selector: "edge.unlock-link",
      style: {
        // On the clusters' map a link can run for thousands of pixels at a concept's zoom,
        // and dashing it took the canvas most of a second (bench/tree_map.py at 100,000):
        // there an unlock link is solid and thinner than a prerequisite link instead.
        width: clusters ? 2 : 3,
        "line-style": clusters ? "solid" : "dashed",
        "line-color": unlock,
        "target-arrow-color": unlock,
        "z-index": 5,
      },
    },
    {
      selector: "edge.path-link",
      style: { width: 3, "line-color": path, "target-arrow-color": path, "z-index": 5 },
    },
  ];
}

export function drawTree(container, data) {
  if (!window.cytoscape) throw new Error("Cytoscape did not load");
  if (window.cytoscapeDagre && !window.cytoscape.__dagreRegistered) {
    window.cytoscape.use(window.cytoscapeDagre);
    window.cytoscape.__dagreRegistered = true;
  }
  const started = performance.now();
  const large = data.nodes.length > LARGE_TREE;
  const placed = data.nodes.every((n) => Number.isFinite(n.x) && Number.isFinite(n.y));
  const cy = window.cytoscape({
    container,
    style: graphStyle({ large }),
    layout: { name: placed ? "preset" : "null" },
    minZoom: 0.02,
    maxZoom: 3,
    pixelRatio: large ? 1 : "auto",
    textureOnViewport: large,
    hideEdgesOnViewport: large,
  });
  measureLabelsOnce(cy);
  cy.add(elementsFrom(data));
  if (placed) cy.viewport(viewOf(cy, boxesExtent(cy.nodes())));
  else placeByDepth(cy, large); // the dashboard's map comes without server positions
  cy.scratch("techtree", { layoutMs: performance.now() - started, large });
  cy.on("mouseover", "node", (event) => {
    event.target.addClass("hover");
    container.style.cursor = "pointer";
  });
  cy.on("mouseout", "node", (event) => {
    event.target.removeClass("hover");
    container.style.cursor = "";
  });
  return cy;
}

function placeByDepth(cy, large) {
  let orderOf;
  if (large) {
    // Dagre is too slow for thousands of nodes: order rows by domain, then title.
    const sorted = cy.nodes().sort((a, b) =>
      `${a.data("domain")}\u0000${a.data("title")}`.localeCompare(
        `${b.data("domain")}\u0000${b.data("title")}`,
      ),
    );
    const rank = new Map(sorted.map((node, i) => [node.id(), i]));
    orderOf = (node) => rank.get(node.id()) * 10;
  } else {
    cy.layout({ name: "dagre", rankDir: "TB", nodeSep: NODE_GAP, rankSep: ROW_GAP, fit: false }).run();
    const dagreX = new Map(cy.nodes().map((node) => [node.id(), node.position("x")]));
    orderOf = (node) => dagreX.get(node.id());
  }
  const positions = depthRows(cy.nodes().toArray(), orderOf);
  cy.nodes().positions((node) => positions.get(node.id()));
  cy.viewport(viewOf(cy, boxesExtent(cy.nodes())));
}

// The extent of the boxes, from their positions and sizes. Cytoscape's boundingBox() also
// measures every label, which took seconds on a 2,000-concept tree; labels sit inside their
// boxes here, so the boxes are enough.
function boxesExtent(nodes) {
  const box = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
  nodes.forEach((node) => {
    const { x, y } = node.position();
    const halfWidth = node.data("width") / 2;
    const halfHeight = node.data("height") / 2;
    box.x1 = Math.min(box.x1, x - halfWidth);
    box.x2 = Math.max(box.x2, x + halfWidth);
    box.y1 = Math.min(box.y1, y - halfHeight);
    box.y2 = Math.max(box.y2, y + halfHeight);
  });
  return { ...box, w: box.x2 - box.x1, h: box.y2 - box.y1 };
}

// The zoom and pan that show `box` whole, with a margin, and no closer than `closest`.
function viewOf(cy, box, { padding = 30, closest = 1.5 } = {}) {
  const fitting = Math.min(
    (cy.width() - 2 * padding) / Math.max(box.w, 1),
    (cy.height() - 2 * padding) / Math.max(box.h, 1),
  );
  const zoom = Math.max(cy.minZoom(), Math.min(closest, fitting));
  const pan = {
    x: cy.width() / 2 - zoom * (box.x1 + box.w / 2),
    y: cy.height() / 2 - zoom * (box.y1 + box.h / 2),
  };
  return { zoom, pan };
}

// ---- Walking the tree (plain data in and out) ----

/** Concepts by id with their direct prerequisites (parents) and unlocks (children). */
export function indexTree(data) {
  const byId = new Map();
  const parents = new Map();
  const children = new Map();
  for (const node of data.nodes) {
    byId.set(node.id, node);
    parents.set(node.id, []);
    children.set(node.id, []);
  }
  for (const { source, target } of data.edges) {
    children.get(source).push(target);
    parents.get(target).push(source);
  }
  return { byId, parents, children };
}

/** Every id reachable from `start` through `next` (parents or children), `start` excluded. */
export function reachable(start, next) {
  const seen = new Set();
  const stack = [...next.get(start)];
  while (stack.length) {
    const id = stack.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    for (const further of next.get(id)) if (!seen.has(further)) stack.push(further);
  }
  return seen;
}

// Code-point order, as Python compares strings.
function byCodePoint(a, b) {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Everything behind `target`, then the target: the order of techtree.graph.learning_path.
 * A concept's level in its own ancestry is its depth in the whole tree (stored on each
 * concept), so sorting by depth, then title, gives the server's order exactly.
 */
export function learningPath(target, tree) {
  const steps = [...reachable(target, tree.parents), target].map((id) => tree.byId.get(id));
  steps.sort((a, b) => a.depth - b.depth || byCodePoint(a.title, b.title));
  return steps.map((node) => node.id);
}

// ---- The map: selection, learning paths, panels and keys (tree page only) ----

const MARKS = [
  "selected-concept",
  "prerequisite",
  "unlock",
  "on-path",
  "path-done",
  "prerequisite-link",
  "unlock-link",
  "path-link",
].join(" ");

// A numbered tag on a path step's top-left corner. A separate element, because growing the
// step's own label would change its size, and Cytoscape can keep drawing its old outline.
// It carries every data field the node style maps, as Cytoscape warns about missing ones.
function stepBadge(node, number, done) {
  const { x, y } = node.position();
  const label = done ? `${number} ✓` : String(number);
  return {
    group: "nodes",
    data: { id: `step:${node.id()}`, label, width: 12 + 7 * label.length, height: 18 },
    classes: done ? "step-badge step-done" : "step-badge",
    position: { x: x - node.data("width") / 2 + 4, y: y - node.data("height") / 2 },
    grabbable: false,
    selectable: false,
  };
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

const SLUG_PLACEHOLDER = "slug-placeholder-0"; // the endpoints' addresses carry it
const DETAIL_ZOOM = 0.3; // from this zoom in, a large tree's concepts are fetched by tile
const MAX_TILES = 40; // tiles asked for at once, at most
// Concepts behind a selection drawn at first, nearest first ("Show more" draws as many
// again). Each concept and link drawn costs its style and first paint: a concept with 66
// behind it and their 137 links took a select past 200 ms at 2,000 concepts
// (bench/tree_map.py), and most of them were off screen at a concept's zoom anyway.
const BEHIND_BATCH = 20;

class TreeMap {
  // `remote` is null when the whole tree came at once; for a large tree it holds the
  // endpoints (and the overview) that neighbourhoods, tiles and statuses are fetched from.
  constructor(root, container, cy, data, remote = null) {
    this.root = root;
    this.container = container;
    this.cy = cy;
    this.remote = remote;
    this.tree = indexTree(data);
    this.edgeIds = new Set(data.edges.map((edge) => edgeId(edge.source, edge.target)));
    this.pending = new Map(); // links fetched before one of their ends
    this.around = new Map(); // neighbourhoods fetched or being fetched, by concept
    this.statusOf = new Map(); // the learner's statuses fetched, by concept
    this.tiles = new Map(); // tiles fetched (or being fetched), by "row,column"
    this.hasStatus = remote ? Boolean(remote.statuses) : data.nodes.some((node) => node.status);
    this.selected = null;
    this.path = null; // the learning path shown, as ids, or null
    this.marked = null; // the elements carrying highlight classes, to clear them cheaply
    this.badges = null; // the step numbers of the path shown
    this.rows = null; // concepts side by side, built when first needed
    this.find = (selector) => root.querySelector(selector);
    this.controls = this.find("[data-map-controls]");
    this.select = this.find("[data-map-select]");
    this.target = this.find("[data-map-target]");
    this.announcer = this.find("[data-map-announce]");
    if (remote) {
      // A select box of every concept would be the whole tree: find by title instead.
      this.select.closest(".field").hidden = true;
      this.target.closest(".field").hidden = true;
    } else {
      this.fillChoices(data);
    }
    this.wire();
    this.controls.hidden = false;
  }

  concepts() {
    return this.cy.nodes("[!cluster]").not(".step-badge");
  }

  // Concepts side by side, for moving left and right with the keyboard.
  rowsByPosition() {
    const rows = new Map();
    this.concepts().forEach((node) => {
      const depth = node.data("depth");
      if (!rows.has(depth)) rows.set(depth, []);
      rows.get(depth).push(node);
    });
    const place = new Map();
    for (const row of rows.values()) {
      row.sort((a, b) => a.position("x") - b.position("x"));
      row.forEach((node, i) => place.set(node.id(), { row, i }));
    }
    return place;
  }

  fillChoices(data) {
    const options = document.createDocumentFragment();
    const titles = document.createDocumentFragment();
    let group = null;
    for (const node of data.nodes) {
      if (!group || group.dataset.depth !== String(node.depth)) {
        group = document.createElement("optgroup");
        group.label = `Depth ${node.depth}`;
        group.dataset.depth = String(node.depth);
        options.append(group);
      }
      group.append(new Option(node.title, node.id));
      const title = document.createElement("option");
      title.value = node.title;
      titles.append(title);
    }
    this.target.append(options.cloneNode(true));
    this.select.append(options);
    this.find("[data-map-titles]").append(titles);
    this.byTitle = new Map(data.nodes.map((node) => [node.title.toLowerCase(), node.id]));
  }

  wire() {
    const { cy, container } = this;
    cy.on("tap", "node", (event) => {
      if (event.target.data("cluster")) this.zoomInto(event.target);
      else this.choose(event.target.id());
    });
    cy.on("dbltap", "node", (event) => {
      if (!event.target.data("cluster")) this.open(event.target.id());
    });
    cy.on("tap", (event) => {
      if (event.target === cy && this.selected) this.clear();
    });
    container.tabIndex = 0;
    container.addEventListener("keydown", (event) => this.onKey(event));
    this.select.addEventListener("change", () => {
      if (this.select.value) this.choose(this.select.value, { reveal: true });
      else this.clear();
    });
    this.target.addEventListener("change", () => {
      if (this.target.value) this.showPath(this.target.value);
      else this.clear();
    });
    this.controls.addEventListener("submit", (event) => {
      event.preventDefault();
      this.findByTitle(this.find("[data-map-find]").value);
    });
    this.find("[data-map-fit]").addEventListener("click", () => this.fit());
    this.find("[data-map-clear]").addEventListener("click", () => this.clear());
    this.find("[data-info-more]").addEventListener("click", () => this.showMore());
    this.addBehindControls();
    this.find("[data-info-path]").addEventListener("click", () => {
      if (this.selected) this.showPath(this.selected);
    });
    if (this.remote) {
      let timer = null;
      cy.on("viewport", () => {
        clearTimeout(timer);
        // A jump to a selection shows its neighbourhood, already fetched: tiles come when
        // the learner moves the map (fetching them then doubled what a select drew).
        if (this.jumping) this.quietClusters();
        else timer = setTimeout(() => this.loadVisibleTiles(), 120);
      });
      cy.on("mouseover", "node", (event) => {
        if (!event.target.data("cluster")) this.prefetch(event.target.id());
      });
      cy.on("mouseout", "node", () => this.prefetch(null));
      const box = this.find("[data-map-find]");
      box.addEventListener("input", () => {
        clearTimeout(this.suggestTimer);
        this.suggestTimer = setTimeout(() => this.suggest(box.value), 200);
      });
    }
  }

  // ---- What the server sends, merged into the graph and the index ----

  async fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  }

  /** Add concepts and links not drawn yet (links wait until both ends are there). */
  merge(nodes, edges) {
    const { byId, parents, children } = this.tree;
    const fresh = [];
    for (const node of nodes) {
      if (byId.has(node.id)) continue;
      if (this.statusOf.has(node.id)) node.status = this.statusOf.get(node.id);
      byId.set(node.id, node);
      parents.set(node.id, []);
      children.set(node.id, []);
      fresh.push(nodeElement(node));
    }
    for (const [source, target] of edges) this.pending.set(edgeId(source, target), [source, target]);
    for (const [id, [source, target]] of this.pending) {
      if (!byId.has(source) || !byId.has(target)) continue;
      this.pending.delete(id);
      if (this.edgeIds.has(id)) continue;
      this.edgeIds.add(id);
      children.get(source).push(target);
      parents.get(target).push(source);
      fresh.push(edgeElement({ source, target }));
    }
    if (!fresh.length) return;
    const added = this.cy.add(fresh);
    if (this.marked) added.addClass("dimmed");
    this.rows = null;
  }

  /** The learner's statuses for a neighbourhood or a tile, shown on the concepts drawn. */
  async loadStatuses(query) {
    this.knowStatuses((await this.fetchJson(`${this.remote.statuses}?${query}`)).statuses);
  }

  // Statuses of concepts not drawn yet are kept for when they are (merge).
  knowStatuses(statuses) {
    this.cy.batch(() => {
      for (const [id, status] of Object.entries(statuses)) {
        this.statusOf.set(id, status);
        const node = this.tree.byId.get(id);
        if (!node || node.status === status) continue;
        node.status = status;
        this.cy.getElementById(id).data(nodeData(node));
      }
    });
  }

  // Zoomed in to see concepts, the clusters' labels would cover them.
  quietClusters() {
    const detailed = this.cy.zoom() >= DETAIL_ZOOM;
    this.cy.nodes("[?cluster]").toggleClass("quiet", detailed);
    return detailed;
  }

  loadVisibleTiles() {
    const { cy, remote } = this;
    if (!this.quietClusters()) return Promise.resolve();
    const { overview } = remote;
    const view = cy.extent();
    const rowOf = (y) => Math.floor(Math.max(0, y) / overview.row / overview.band);
    const columnOf = (x) => Math.floor(Math.max(0, x) / overview.tile_width);
    const wanted = [];
    for (let row = rowOf(view.y1); row <= rowOf(view.y2); row += 1) {
      for (let column = columnOf(view.x1); column <= columnOf(view.x2); column += 1) {
        if (!this.tiles.has(`${row},${column}`)) wanted.push([row, column]);
      }
    }
    return Promise.all(wanted.slice(0, MAX_TILES).map(([row, column]) => this.loadTile(row, column)));
  }

  loadTile(row, column) {
    const key = `${row},${column}`;
    const url = remoteUrl(this.remote.tile, row, column);
    const loading = this.fetchJson(url).then(async (tile) => {
      this.merge(tile.nodes, tile.edges);
      if (this.remote.statuses && tile.nodes.length) await this.loadStatuses(`tile=${key}`);
    });
    this.tiles.set(key, loading);
    return loading;
  }

  // A neighbourhood, fetched once (its statuses beside it, so each concept is styled once)
  // and drawn with its nearest BEHIND_BATCH prerequisites and `ahead_batch` unlocks: each
  // concept and link drawn costs its style and its first paint, so a concept with much
  // behind or ahead of it would not show at once. "Show more" draws the next batch; a
  // learning path (`whole`) draws everything behind.
  async fetchAround(id, { whole = false } = {}) {
    const statuses = this.remote.statuses
      ? this.fetchJson(`${this.remote.statuses}?concept=${encodeURIComponent(id)}`)
      : null;
    const data = await this.neighbourhood(id);
    if (statuses) this.knowStatuses((await statuses).statuses);
    if (whole) data.drawnBehind = data.behind.length;
    const behind = data.behind.slice(0, data.drawnBehind);
    const ahead = data.ahead.slice(0, data.drawnAhead);
    const drawn = new Set([data.concept, ...behind, ...ahead]);
    this.merge(
      data.nodes.filter((node) => drawn.has(node.id)),
      data.edges.filter(([source, target]) => drawn.has(source) && drawn.has(target)),
    );
    return {
      behind: new Set(behind),
      ahead: new Set(ahead),
      behindTotal: data.behind_total,
      aheadTotal: data.ahead_total,
      behindSent: data.behind.length,
      aheadSent: data.ahead.length,
      behindBatch: BEHIND_BATCH,
      aheadBatch: data.ahead_batch,
      path: data.path,
    };
  }

  /** A concept's neighbourhood from the server, fetched once (a promise, shared). */
  neighbourhood(id) {
    if (!this.around.has(id)) {
      const url = this.remote.concept.replace(SLUG_PLACEHOLDER, encodeURIComponent(id));
      const loading = this.fetchJson(url).then((data) => {
        data.drawnAhead = Math.min(data.ahead.length, data.ahead_batch || data.ahead.length);
        data.drawnBehind = Math.min(data.behind.length, BEHIND_BATCH);
        return data;
      });
      loading.catch(() => this.around.delete(id)); // asked again next time
      this.around.set(id, loading);
    }
    return this.around.get(id);
  }

  // A concept the pointer rests on is likely to be selected next: fetch it already.
  prefetch(id) {
    clearTimeout(this.prefetchTimer);
    if (id) this.prefetchTimer = setTimeout(() => this.neighbourhood(id).catch(() => {}), 80);
  }

  /** Draw the selected concept's next batch of unlocks or of prerequisites (`behind`),
   * kept from its neighbourhood. */
  async showMore(behind = false) {
    const data = this.selected && (await this.around.get(this.selected));
    const [sent, drawnKey, batch, totalKey, noun] = behind
      ? ["behind", "drawnBehind", BEHIND_BATCH, "behind_total", "prerequisites"]
      : ["ahead", "drawnAhead", data?.ahead_batch, "ahead_total", "unlocks"];
    if (!data || data[drawnKey] >= data[sent].length) return;
    data[drawnKey] = Math.min(data[sent].length, data[drawnKey] + batch);
    return this.choose(this.selected).then(() => {
      const drawn = data[drawnKey];
      const total = data[totalKey];
      let text = `${drawn} of ${total} ${noun} drawn, nearest first.`;
      if (drawn >= total) text = `All ${total} ${noun} drawn.`;
      else if (drawn >= data[sent].length) text += ` The map draws at most ${drawn} for one concept.`;
      this.announce(text);
    });
  }

  localAround(id) {
    const behind = reachable(id, this.tree.parents);
    const ahead = reachable(id, this.tree.children);
    const sizes = { behindTotal: behind.size, aheadTotal: ahead.size };
    return { behind, ahead, ...sizes, behindSent: behind.size, aheadSent: ahead.size, path: null };
  }

  // ---- Selection and paths ----

  /** Select a concept: highlight its prerequisites and unlocks, dim the rest. */
  choose(id, { reveal = false } = {}) {
    const started = performance.now();
    if (!this.remote) return this.applyChoice(id, this.localAround(id), reveal, started);
    return this.fetchAround(id)
      .then((around) => this.applyChoice(id, around, reveal, started))
      .catch((error) => this.announce(`Could not load ${id} (${error.message}).`));
  }

  applyChoice(id, around, reveal, started) {
    const { parents, children } = this.tree;
    const { behind, ahead } = around;
    this.selected = id;
    this.path = null;
    this.paint(() => {
      const node = this.cy.getElementById(id);
      const marked = [node.addClass("selected-concept")];
      for (const other of behind) {
        marked.push(this.cy.getElementById(other).addClass("prerequisite"));
      }
      for (const other of ahead) marked.push(this.cy.getElementById(other).addClass("unlock"));
      for (const concept of [id, ...behind]) {
        for (const parent of parents.get(concept) || []) {
          if (behind.has(parent)) marked.push(this.edge(parent, concept).addClass("prerequisite-link"));
        }
      }
      for (const concept of [id, ...ahead]) {
        for (const child of children.get(concept) || []) {
          if (ahead.has(child)) marked.push(this.edge(concept, child).addClass("unlock-link"));
        }
      }
      return marked;
    });
    this.select.value = id;
    this.target.value = "";
    this.showInfo(id, around);
    this.hidePath();
    if (reveal) this.reveal(this.cy.getElementById(id));
    const { title } = this.tree.byId.get(id);
    const nearest = (drawn, total) => (drawn < total ? ` (the nearest ${drawn} drawn)` : "");
    const before = plural(around.behindTotal, "prerequisite", "prerequisites");
    const after = plural(around.aheadTotal, "concept", "concepts");
    this.announce(
      `${title} selected: ${before} highlighted above it${nearest(behind.size, around.behindTotal)} ` +
        `and ${after} it unlocks below it${nearest(ahead.size, around.aheadTotal)}.`,
    );
    this.selectMs = performance.now() - started;
  }

  /** Show the learning path to a concept on the graph and as an ordered list. */
  showPath(id) {
    const started = performance.now();
    if (!this.remote) {
      return this.applyPath(id, learningPath(id, this.tree), this.localAround(id), started);
    }
    return this.fetchAround(id, { whole: true })
      .then((around) => this.applyPath(id, around.path || learningPath(id, this.tree), around, started))
      .catch((error) => this.announce(`Could not load ${id} (${error.message}).`));
  }

  applyPath(id, steps, around, started) {
    const onPath = new Set(steps);
    const { parents } = this.tree;
    this.selected = id;
    this.path = steps;
    const badges = [];
    this.paint(() => {
      const marked = [];
      steps.forEach((step, i) => {
        const node = this.cy.getElementById(step);
        const done = MASTERED.has(this.tree.byId.get(step).status);
        node.addClass(done ? "on-path path-done" : "on-path");
        marked.push(node);
        badges.push(stepBadge(node, i + 1, done));
        for (const parent of parents.get(step)) {
          if (onPath.has(parent)) marked.push(this.edge(parent, step).addClass("path-link"));
        }
      });
      marked.push(this.cy.getElementById(id).addClass("selected-concept"));
      return marked;
    }, badges);
    this.select.value = id;
    this.target.value = id;
    this.showInfo(id, around);
    const mastered = this.listPath(steps);
    this.reveal(this.cy.collection(steps.map((step) => this.cy.getElementById(step))));
    const { title } = this.tree.byId.get(id);
    const left = steps.filter((step) => !MASTERED.has(this.tree.byId.get(step).status));
    let text = `Learning path to ${title}: ${plural(steps.length, "step", "steps")}`;
    if (this.hasStatus) text += `, ${mastered} already mastered`;
    if (left.length) text += `. Start with ${this.tree.byId.get(left[0]).title}.`;
    else text += ". Every step is mastered.";
    this.announce(text);
    this.pathMs = performance.now() - started;
  }

  clear() {
    this.selected = null;
    this.path = null;
    this.paint(() => []);
    this.select.value = "";
    this.target.value = "";
    this.find("[data-map-info]").hidden = true;
    this.hidePath();
    this.announce("Selection cleared.");
  }

  open(id) {
    window.location.assign(this.tree.byId.get(id).url);
  }

  fit() {
    this.cy.stop();
    this.cy.animate(viewOf(this.cy, boxesExtent(this.cy.nodes())), { duration: 250 });
  }

  zoomInto(cluster) {
    this.cy.stop();
    const view = viewOf(this.cy, boxesExtent(cluster), { padding: 20, closest: 1 });
    view.zoom = Math.max(view.zoom, DETAIL_ZOOM); // close enough to see its concepts
    view.pan = {
      x: this.cy.width() / 2 - view.zoom * cluster.position("x"),
      y: this.cy.height() / 2 - view.zoom * (cluster.position("y") - cluster.data("height") / 2),
    };
    this.cy.animate(view, { duration: 250 });
  }

  async suggest(text) {
    if (text.trim().length < 2) return;
    const { found } = await this.fetchJson(`${this.remote.find}?q=${encodeURIComponent(text)}`);
    const titles = this.find("[data-map-titles]");
    titles.replaceChildren(...found.map((hit) => new Option(hit.title)));
  }

  async findByTitle(text) {
    const wanted = text.trim().toLowerCase();
    if (!wanted) return;
    let id = null;
    if (this.remote) {
      const { found } = await this.fetchJson(`${this.remote.find}?q=${encodeURIComponent(text)}`);
      const exact = found.find((hit) => hit.title.toLowerCase() === wanted);
      id = exact ? exact.id : found.length === 1 ? found[0].id : null;
    } else {
      id = this.byTitle.get(wanted);
      if (!id) {
        const matches = [...this.byTitle.keys()].filter((title) => title.includes(wanted));
        if (matches.length === 1) id = this.byTitle.get(matches[0]);
      }
    }
    if (id) await this.choose(id, { reveal: true });
    else this.announce(`No single concept matches “${text.trim()}”; pick one from the suggestions.`);
  }

  // Swap one highlight for another in a single batch. `mark` adds the classes and returns
  // the elements it lit. Restyling is what costs on a large tree, so only elements whose
  // state flips are touched: dimming everything else takes a pass over the whole graph
  // only when a highlight starts or ends, not when one concept's replaces another's.
  paint(mark, badges = []) {
    const { cy } = this;
    cy.batch(() => {
      const before = this.marked;
      if (this.badges) this.badges.remove();
      if (before) before.removeClass(MARKS);
      const marked = mark();
      const after = marked.length ? cy.collection(marked) : null;
      if (before && after) {
        after.difference(before).removeClass("dimmed");
        before.difference(after).addClass("dimmed");
      } else if (after) {
        cy.elements().difference(after).addClass("dimmed");
      } else if (before) {
        cy.elements().removeClass("dimmed");
      }
      this.marked = after;
      this.badges = badges.length ? cy.add(badges) : null;
    });
    this.find("[data-map-clear]").disabled = !this.marked;
  }

  edge(source, target) {
    return this.cy.getElementById(edgeId(source, target));
  }

  showInfo(id, around) {
    const concept = this.tree.byId.get(id);
    const set = (name, text) => {
      const field = this.find(`[data-info-${name}]`);
      if (field) field.textContent = text;
    };
    set("title", concept.title);
    set("depth", String(concept.depth));
    set("domain", concept.domain);
    set("difficulty", `${stars(concept.difficulty)} (${concept.difficulty} of 5)`);
    set("status", concept.status || "");
    const direct = (list) => `${list.length} direct`;
    set("prerequisites", `${around.behindTotal} in all (${direct(this.tree.parents.get(id))})`);
    set("unlocks", `${around.aheadTotal} in all (${direct(this.tree.children.get(id))})`);
    this.showDrawn(around);
    const open = this.find("[data-info-open]");
    open.href = concept.url;
    open.setAttribute("aria-label", `Open concept: ${concept.title}`);
    this.find("[data-map-info]").hidden = false;
  }

  // How many of the prerequisites and of the unlocks are drawn, and a button for the next
  // batch of each when there is one.
  showDrawn(around) {
    const show = (suffix, drawn, total, sent, batch, noun) => {
      const note = this.find(`[data-info-drawn${suffix}]`);
      note.hidden = drawn >= total;
      note.textContent = `${drawn} of ${total} ${noun} drawn, nearest first.`;
      const more = this.find(`[data-info-more${suffix}]`);
      more.hidden = drawn >= sent;
      more.textContent = `Show ${Math.min(sent - drawn, batch)} more ${noun}`;
      more.closest("p").hidden = note.hidden && more.hidden;
    };
    const { behind, ahead } = around;
    show("-behind", behind.size, around.behindTotal, around.behindSent, around.behindBatch, "prerequisites");
    show("", ahead.size, around.aheadTotal, around.aheadSent, around.aheadBatch, "unlocks");
  }

  // The page has a note and a button for the unlocks drawn; the prerequisites get their own,
  // above it.
  addBehindControls() {
    const unlocks = this.find("[data-info-more]").closest("p");
    const row = document.createElement("p");
    row.className = unlocks.className;
    const note = document.createElement("span");
    note.dataset.infoDrawnBehind = "";
    const more = document.createElement("button");
    more.type = "button";
    more.className = "secondary";
    more.dataset.infoMoreBehind = "";
    note.hidden = more.hidden = row.hidden = true;
    row.append(note, " ", more);
    unlocks.before(row);
    more.addEventListener("click", () => this.showMore(true));
  }

  listPath(steps) {
    const list = this.find("[data-path-list]");
    let mastered = 0;
    const items = steps.map((step, i) => {
      const concept = this.tree.byId.get(step);
      const item = document.createElement("li");
      item.dataset.step = step;
      const link = document.createElement("a");
      link.href = concept.url;
      link.textContent = concept.title;
      item.append(link);
      if (MASTERED.has(concept.status)) {
        mastered += 1;
        item.classList.add("done");
        const note = document.createElement("span");
        note.className = "step-note";
        note.textContent = " ✓ already mastered, skip";
        item.append(note);
      }
      if (i === steps.length - 1) item.classList.add("goal");
      return item;
    });
    list.replaceChildren(...items);
    const target = this.tree.byId.get(steps[steps.length - 1]);
    this.find("[data-path-target]").textContent = target.title;
    let summary = `${plural(steps.length, "step", "steps")}, prerequisites first; the goal is last.`;
    if (this.hasStatus) summary += ` ${steps.length - mastered} to learn, ${mastered} already mastered.`;
    this.find("[data-path-summary]").textContent = summary;
    this.find("[data-map-path]").hidden = false;
    return mastered;
  }

  hidePath() {
    this.find("[data-map-path]").hidden = true;
  }

  // Bring concepts into view if they are off screen or too small to read.
  reveal(nodes) {
    const { cy } = this;
    const box = boxesExtent(nodes);
    const view = cy.extent();
    const inside = box.x1 >= view.x1 && box.x2 <= view.x2 && box.y1 >= view.y1 && box.y2 <= view.y2;
    if (inside && cy.zoom() >= 0.5) return;
    // A jump, not an animation: every frame of a viewport animation redraws the map, which
    // on a large tree kept a selection from showing at once (bench/tree_map.py).
    cy.stop();
    this.jumping = true;
    cy.viewport(viewOf(cy, box, { padding: 40, closest: 1.1 }));
    this.jumping = false;
  }

  onKey(event) {
    const step = {
      ArrowLeft: () => this.sideways(-1),
      ArrowRight: () => this.sideways(1),
      ArrowUp: () => this.along(this.tree.parents),
      ArrowDown: () => this.along(this.tree.children),
      Enter: () => {
        if (this.selected) this.open(this.selected);
        else this.announce("Nothing is selected: use the arrow keys to pick a concept first.");
      },
      Escape: () => this.clear(),
      "+": () => this.zoomBy(1.25),
      "=": () => this.zoomBy(1.25),
      "-": () => this.zoomBy(0.8),
      0: () => this.fit(),
    }[event.key];
    if (!step || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    step();
  }

  sideways(direction) {
    if (!this.selected) return this.chooseFirst();
    if (!this.rows) this.rows = this.rowsByPosition();
    const { row, i } = this.rows.get(this.selected);
    const next = row[i + direction];
    if (next) this.choose(next.id(), { reveal: true });
    else this.announce(direction < 0 ? "First concept in this row." : "Last concept in this row.");
  }

  // Up to the nearest direct prerequisite, or down to the nearest direct unlock.
  along(next) {
    if (!this.selected) return this.chooseFirst();
    const here = this.cy.getElementById(this.selected).position("x");
    const candidates = next.get(this.selected);
    if (!candidates.length) {
      this.announce(next === this.tree.parents ? "It needs nothing else." : "It unlocks nothing.");
      return;
    }
    const distance = (id) => Math.abs(this.cy.getElementById(id).position("x") - here);
    const nearest = candidates.reduce((best, id) => (distance(id) < distance(best) ? id : best));
    this.choose(nearest, { reveal: true });
  }

  chooseFirst() {
    const first = this.tree.byId.keys().next();
    if (!first.done) this.choose(first.value, { reveal: true });
  }

  zoomBy(factor) {
    const { cy } = this;
    cy.zoom({
      level: Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * factor)),
      renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 },
    });
  }

  announce(text) {
    this.announcer.textContent = text;
  }

  /** What is highlighted now, read back from the graph's classes (for tests and benches). */
  highlighted() {
    const ids = (selector) => this.cy.$(selector).map((node) => node.id()).sort();
    return {
      selected: ids("node.selected-concept"),
      prerequisites: ids("node.prerequisite"),
      unlocks: ids("node.unlock"),
      path: this.path ? [...this.path] : [],
      onPath: ids("node.on-path"),
      pathDone: ids("node.path-done"),
      dimmed: this.cy.$("node.dimmed[!cluster]").length,
    };
  }
}

function remoteUrl(template, row, column) {
  return template.replace(/\/0\/0\.json$/, `/${row}/${column}.json`);
}

// ---- A large tree's overview: a box per domain and band of depths, with counts ----

function clusterLabel(cluster, counts) {
  const [first, last] = cluster.depths;
  const lines = [cluster.domain, `depth ${first}–${last}`, plural(cluster.count, "concept", "concepts")];
  if (counts) {
    const shown = Object.entries(counts).filter(([, n]) => n > 0);
    lines.push(shown.map(([status, n]) => `${n} ${status}`).join(" · "));
  }
  return lines.join("\n");
}

function clusterElements(overview) {
  const { column, row } = overview;
  return overview.clusters.map((cluster) => ({
    group: "nodes",
    data: {
      ...cluster,
      id: `cluster:${cluster.id}`,
      key: cluster.id,
      cluster: true,
      label: clusterLabel(cluster),
      colour: domainColour(cluster.domain_index),
      width: cluster.w + column,
      height: cluster.h + row * 0.6,
    },
    position: { x: cluster.x + cluster.w / 2, y: cluster.y + cluster.h / 2 },
  }));
}

function drawOverview(container, overview) {
  const started = performance.now();
  const cy = window.cytoscape({
    container,
    style: [
      ...graphStyle({ large: true, clusters: true }),
      {
        selector: "node[?cluster]",
        style: {
          shape: "round-rectangle",
          "background-color": "data(colour)",
          "background-opacity": 0.1,
          "border-color": "data(colour)",
          "border-width": 2,
          "border-style": "solid",
          label: "data(label)",
          "text-valign": "center",
          "font-size": "data(fontSize)",
          "text-max-width": "data(width)",
          "min-zoomed-font-size": 0,
        },
      },
      { selector: "node[?cluster].quiet", style: { "text-opacity": 0, "background-opacity": 0.05 } },
    ],
    layout: { name: "preset" },
    minZoom: 1e-5,
    maxZoom: 3,
    pixelRatio: 1,
    textureOnViewport: true,
    hideEdgesOnViewport: true,
  });
  measureLabelsOnce(cy);
  cy.add(clusterElements(overview));
  const view = viewOf(cy, boxesExtent(cy.nodes()), { closest: 1 });
  // Cluster labels are read at the whole map's zoom: about 12 screen pixels there.
  cy.nodes().forEach((node) => {
    const { width, height } = node.data();
    node.data("fontSize", Math.min(12 / view.zoom, height / 5, width / 7));
  });
  cy.viewport(view);
  cy.scratch("techtree", { layoutMs: performance.now() - started, large: true });
  return cy;
}

async function clusterStatuses(cy, url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const { clusters } = await response.json();
  cy.batch(() => {
    cy.nodes("[?cluster]").forEach((node) => {
      const counts = clusters[node.data("key")];
      if (counts) node.data("label", clusterLabel(node.data(), counts));
    });
  });
}

// ---- Starting: the dashboard's map from the page, the tree page's from the endpoints ----

function publish(container, cy, map, layoutMs) {
  window.techtreeMap = {
    cy,
    layoutMs,
    select: (id) => map?.choose(id, { reveal: true }),
    showPath: (id) => map?.showPath(id),
    clear: () => map?.clear(),
    highlighted: () => map?.highlighted(),
    loadVisibleTiles: () => map?.loadVisibleTiles(),
    timings: () => ({ layoutMs, selectMs: map?.selectMs, pathMs: map?.pathMs }),
  };
  container.cy = cy; // handy for tests and the console
  container.dataset.layoutMs = layoutMs.toFixed(1);
  cy.one("render", () => {
    container.dataset.renderedMs = performance.now().toFixed(1);
  });
  container.dataset.ready = "true";
}

async function startFromEndpoints(container, status) {
  const urls = container.dataset;
  const response = await fetch(urls.mapOverview, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`the overview answered ${response.status}`);
  const overview = await response.json();
  const root = container.closest("[data-tree-map]");
  let cy;
  let map;
  if (overview.mode === "full") {
    const data = {
      nodes: overview.nodes,
      edges: overview.edges.map(([source, target]) => ({ source, target })),
    };
    if (urls.mapStatuses) {
      const { statuses } = await (await fetch(urls.mapStatuses)).json();
      for (const node of data.nodes) if (statuses[node.id]) node.status = statuses[node.id];
    }
    cy = drawTree(container, data);
    map = new TreeMap(root, container, cy, data);
  } else {
    cy = drawOverview(container, overview);
    const remote = {
      overview,
      concept: urls.mapConcept,
      tile: urls.mapTile,
      find: urls.mapFind,
      statuses: urls.mapStatuses,
    };
    map = new TreeMap(root, container, cy, { nodes: [], edges: [] }, remote);
    if (urls.mapStatuses) clusterStatuses(cy, urls.mapStatuses);
  }
  if (status) status.remove();
  publish(container, cy, map, cy.scratch("techtree").layoutMs);
}

function start() {
  const container = document.querySelector("[data-tree-graph]");
  if (!container) return;
  const status = container.querySelector("[data-tree-status]");
  const failed = (error) => {
    if (status) status.textContent = `The graph could not be drawn (${error.message}); use the list below.`;
    throw error;
  };
  if (container.dataset.mapOverview) {
    startFromEndpoints(container, status).catch(failed);
    return;
  }
  try {
    const data = JSON.parse(document.getElementById(container.dataset.treeSource).textContent);
    const cy = drawTree(container, data);
    cy.on("tap", "node", (event) => window.location.assign(event.target.data("url")));
    if (status) status.remove();
    publish(container, cy, null, cy.scratch("techtree").layoutMs);
  } catch (error) {
    failed(error);
  }
}

start();
