// The tech tree as an interactive graph (Cytoscape.js with a dagre layout, both vendored).
// Data comes from the page through json_script; the list below the graph needs no script.

const LARGE_TREE = 400; // above this, place nodes by depth directly instead of running dagre

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function domainColour(domain, domainIndex) {
  return cssVar(`--domain-${domainIndex(domain)}`, "#5c5f66");
}

// Same rule as the domain_class template filter (CRC-32 of the name, modulo 8).
function crc32(text) {
  let crc = -1;
  for (const byte of new TextEncoder().encode(text)) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ -1) >>> 0;
}

export function domainIndex(domain) {
  return crc32(domain) % 8;
}

const STATUS_FILL = {
  locked: "#eceef1",
  available: "#e6edfb",
  "in progress": "#fdf1dc",
  mastered: "#e3f4ea",
};

function statusFill(status) {
  return STATUS_FILL[status] || "#ffffff";
}

function stars(n) {
  return "★".repeat(n) + "☆".repeat(5 - n);
}

const FONT = "12px system-ui, sans-serif";
const LINE_HEIGHT = 15;
const MAX_LABEL_WIDTH = 190;

// Box sizes from the measured label: Cytoscape's own `width: label` is deprecated.
function labelBox(lines, context) {
  let widest = 0;
  let rows = 0;
  for (const line of lines) {
    const width = context.measureText(line).width;
    widest = Math.max(widest, Math.min(width, MAX_LABEL_WIDTH));
    rows += Math.max(1, Math.ceil(width / MAX_LABEL_WIDTH));
  }
  return { width: Math.ceil(widest) + 20, height: rows * LINE_HEIGHT + 16 };
}

function elementsFrom(data) {
  const context = document.createElement("canvas").getContext("2d");
  context.font = FONT;
  const nodes = data.nodes.map((node) => {
    const lines = [node.title, `${node.domain} · ${stars(node.difficulty)}`];
    if (node.status) lines.push(node.status); // status in words, not only in colour
    return {
      group: "nodes",
      data: {
        ...node,
        label: lines.join("\n"),
        colour: domainColour(node.domain, domainIndex),
        fill: node.status ? statusFill(node.status) : "#ffffff",
        ...labelBox(lines, context),
      },
    };
  });
  const edges = data.edges.map((edge) => ({
    group: "edges",
    data: { id: `${edge.source}->${edge.target}`, source: edge.source, target: edge.target },
  }));
  return [...nodes, ...edges];
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

export const graphStyle = [
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
      color: "#1d2433",
      "background-color": "data(fill)",
      "border-width": 3,
      "border-color": "data(colour)",
    },
  },
  {
    selector: "edge",
    style: {
      width: 1.6,
      "curve-style": "bezier",
      "line-color": "#9aa1ad",
      "target-arrow-color": "#9aa1ad",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.9,
    },
  },
  { selector: "node:active, node.hover", style: { "background-color": "#e6edfb" } },
];

export function drawTree(container, data) {
  if (!window.cytoscape) throw new Error("Cytoscape did not load");
  if (window.cytoscapeDagre && !window.cytoscape.__dagreRegistered) {
    window.cytoscape.use(window.cytoscapeDagre);
    window.cytoscape.__dagreRegistered = true;
  }
  const large = data.nodes.length > LARGE_TREE;
  const cy = window.cytoscape({
    container,
    elements: elementsFrom(data),
    style: graphStyle,
    layout: { name: "null" },
    minZoom: 0.02,
    maxZoom: 3,
    textureOnViewport: large,
    hideEdgesOnViewport: large,
  });
  placeByDepth(cy, large);
  cy.on("tap", "node", (event) => {
    window.location.assign(event.target.data("url"));
  });
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
  cy.fit(undefined, 30);
}

function start() {
  const container = document.querySelector("[data-tree-graph]");
  if (!container) return;
  const source = document.getElementById(container.dataset.treeSource);
  const status = container.querySelector("[data-tree-status]");
  try {
    const data = JSON.parse(source.textContent);
    const cy = drawTree(container, data);
    container.cy = cy; // handy for tests and the console
    container.dataset.ready = "true";
    if (status) status.remove();
  } catch (error) {
    if (status) status.textContent = `The graph could not be drawn (${error.message}); use the list below.`;
    throw error;
  }
}

start();
