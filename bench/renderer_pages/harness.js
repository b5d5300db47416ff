// bench/renderers.py's harness: the same graph drawn by Cytoscape.js (canvas, styled as the
// tree map styles a large tree) or by sigma.js (WebGL, on a graphology graph). The Python side
// hands over plain data (the server's map JSON turned into nodes with positions, or a stress
// graph) and the lists of what to light; each step here is timed from "data in hand" until
// painted: the renderer's own render event, a one-pixel read of each of its canvases (so the
// drawing has really been done, also by a software GPU), then the next animation frame.

const COLOURS = ["#2f5fd0", "#b35c00", "#1f7a4d", "#8a3ea8", "#b3261e", "#0b7285", "#6b5d00", "#5c5f66"];
const SELECTED = "#ffb000";
const BEHIND = "#2f5fd0";
const AHEAD = "#8a3ea8";
const PATH = "#b35c00";
const EDGE = "#9aa1ad";
const DIMMED_NODE = "#e4e6ea";
const DIMMED_EDGE = "#eef0f2";
const RENDER_TIMEOUT_MS = 15000;

const container = document.getElementById("graph");
let current = null; // the renderer drawing now: { kind, ... } with the methods below

function colourOf(node) {
  return COLOURS[node.colour % COLOURS.length];
}

function nextFrame() {
  return new Promise((done) => requestAnimationFrame(() => done()));
}

function edgeId(source, target) {
  return `${source}->${target}`;
}

// Force the drawing to be finished: reading a pixel waits for every command before it.
function flush(canvases) {
  const pixel = new Uint8Array(4);
  for (const canvas of canvases) {
    const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
    if (gl) {
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    } else {
      const context = canvas.getContext("2d");
      if (context) context.getImageData(0, 0, 1, 1);
    }
  }
}

// ---- Cytoscape.js: the tree map's options and the parts of its style that cost ----

const CYTOSCAPE_STYLE = [
  {
    selector: "node",
    style: {
      shape: "round-rectangle",
      width: "data(w)",
      height: "data(h)",
      label: "data(label)",
      "text-wrap": "wrap",
      "text-max-width": "190px",
      "text-valign": "center",
      "text-halign": "center",
      "font-size": "12px",
      "font-family": "system-ui, sans-serif",
      "min-zoomed-font-size": 7,
      color: "#1d2433",
      "background-color": "#ffffff",
      "border-width": 3,
      "border-color": "data(fill)",
    },
  },
  {
    selector: "node[?cluster]",
    style: {
      "background-color": "data(fill)",
      "background-opacity": 0.1,
      "border-width": 2,
      "font-size": "data(fontSize)",
      "text-max-width": "data(w)",
      "min-zoomed-font-size": 0,
    },
  },
  {
    selector: "edge",
    style: { width: 1.6, "curve-style": "haystack", "line-color": EDGE, "target-arrow-shape": "none" },
  },
  { selector: ".dimmed", style: { opacity: 0.2 } },
  ...[
    ["selected", SELECTED],
    ["behind", BEHIND],
    ["ahead", AHEAD],
    ["path", PATH],
  ].flatMap(([name, colour]) => [
    {
      selector: `node.${name}`,
      style: {
        "underlay-color": colour,
        "underlay-opacity": name === "selected" ? 0.95 : 0.45,
        "underlay-padding": 6,
        "underlay-shape": "round-rectangle",
        "z-index": 10,
      },
    },
    { selector: `edge.${name}`, style: { width: 3, "line-color": colour, "z-index": 5 } },
  ]),
];
const MARKS = "selected behind ahead path";

function cytoscapeElements(data) {
  return [
    ...data.nodes.map((n) => ({
      group: "nodes",
      data: { id: n.id, label: n.label, w: n.w, h: n.h, fill: colourOf(n), cluster: n.cluster, fontSize: n.fontSize },
      position: { x: n.x, y: n.y },
    })),
    ...data.edges.map(([source, target]) => ({
      group: "edges",
      data: { id: edgeId(source, target), source, target },
    })),
  ];
}

function startCytoscape(data) {
  const cy = window.cytoscape({
    container,
    elements: cytoscapeElements(data),
    style: CYTOSCAPE_STYLE,
    layout: { name: "preset" },
    minZoom: 1e-5,
    maxZoom: 3,
    pixelRatio: 1,
    textureOnViewport: true,
    hideEdgesOnViewport: true,
  });
  cy.fit(undefined, 20);
  let marked = null;
  return {
    kind: "cytoscape",
    rendered: () => new Promise((done) => cy.one("render", done)),
    canvases: () => Array.from(container.querySelectorAll("canvas")),
    count: () => cy.elements().length,
    add(more) {
      const fresh = cytoscapeElements(more).filter((e) => cy.getElementById(e.data.id).empty());
      if (fresh.length) cy.add(fresh);
      return fresh.length;
    },
    light(lit) {
      cy.batch(() => {
        if (marked) marked.removeClass(MARKS);
        let after = cy.collection();
        for (const [name, ids] of Object.entries(lit)) {
          const these = cy.collection(ids.map((id) => cy.getElementById(id)));
          these.addClass(name);
          after = after.union(these);
        }
        if (!marked) cy.elements().difference(after).addClass("dimmed");
        else {
          marked.difference(after).addClass("dimmed");
          after.removeClass("dimmed");
        }
        marked = after;
      });
    },
    move() {
      const { x, y } = cy.pan();
      cy.viewport({ zoom: cy.zoom() * 1.25, pan: { x: x - 120, y: y - 60 } });
    },
    destroy: () => cy.destroy(),
  };
}

// ---- sigma.js: WebGL for nodes and edges, a 2D canvas for labels ----

function sigmaAttributes(n) {
  return { x: n.x, y: -n.y, size: n.size, label: n.label.split("\n")[0], color: colourOf(n) };
}

function startSigma(data) {
  const graph = new window.graphology.Graph({ type: "directed" });
  for (const n of data.nodes) graph.addNode(n.id, sigmaAttributes(n));
  for (const [source, target] of data.edges) {
    graph.addDirectedEdgeWithKey(edgeId(source, target), source, target, { size: 1, color: EDGE });
  }
  // What is lit: element -> colour; everything else is dimmed while something is lit.
  const state = { nodes: new Map(), edges: new Map(), active: false };
  const renderer = new window.Sigma(graph, container, {
    zIndex: true,
    hideEdgesOnMove: true,
    renderEdgeLabels: false,
    nodeReducer(node, attributes) {
      if (!state.active) return attributes;
      const colour = state.nodes.get(node);
      if (colour) return { ...attributes, color: colour, zIndex: 2, highlighted: colour === SELECTED };
      return { ...attributes, color: DIMMED_NODE, label: null, zIndex: 0 };
    },
    edgeReducer(edge, attributes) {
      if (!state.active) return attributes;
      const colour = state.edges.get(edge);
      if (colour) return { ...attributes, color: colour, size: 3, zIndex: 1 };
      return { ...attributes, color: DIMMED_EDGE, zIndex: 0 };
    },
  });
  const colours = { selected: SELECTED, behind: BEHIND, ahead: AHEAD, path: PATH };
  return {
    kind: "sigma",
    renderer,
    rendered: () => new Promise((done) => renderer.once("afterRender", done)),
    canvases: () => Object.values(renderer.getCanvases()),
    count: () => graph.order + graph.size,
    add(more) {
      let added = 0;
      for (const n of more.nodes) {
        if (!graph.hasNode(n.id)) {
          graph.addNode(n.id, sigmaAttributes(n));
          added += 1;
        }
      }
      for (const [source, target] of more.edges) {
        const key = edgeId(source, target);
        if (!graph.hasEdge(key)) {
          graph.addDirectedEdgeWithKey(key, source, target, { size: 1, color: EDGE });
          added += 1;
        }
      }
      return added;
    },
    light(lit) {
      state.nodes.clear();
      state.edges.clear();
      for (const [name, ids] of Object.entries(lit)) {
        for (const id of ids) (graph.hasNode(id) ? state.nodes : state.edges).set(id, colours[name]);
      }
      state.active = true;
      renderer.refresh();
    },
    move() {
      const camera = renderer.getCamera();
      const { x, y, ratio } = camera.getState();
      camera.setState({ x: x + 0.02, y: y - 0.01, ratio: ratio / 1.25 });
    },
    destroy: () => renderer.kill(),
  };
}

// ---- Timed steps ----

function withTimeout(promise, what) {
  return Promise.race([
    promise,
    new Promise((_, fail) => setTimeout(() => fail(new Error(`${what}: no render in ${RENDER_TIMEOUT_MS} ms`)), RENDER_TIMEOUT_MS)),
  ]);
}

// From `start` until the renderer has drawn (flushed) and the next frame has begun.
async function painted(start, rendered, what) {
  await withTimeout(rendered, what);
  flush(current.canvases());
  await nextFrame();
  return performance.now() - start;
}

async function timed(what, action) {
  const start = performance.now();
  const rendered = current.rendered(); // listen first: sigma draws inside the call
  const result = action();
  const script = performance.now() - start;
  return { script, painted: await painted(start, rendered, what), result, elements: current.count() };
}

window.bench = {
  /** What WebGL this Chromium offers (sigma needs it). */
  webgl() {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
    if (!gl) return { webgl: false, renderer: "" };
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    return { webgl: true, version: gl.getParameter(gl.VERSION), renderer: String(name) };
  },

  versions: () => ({ cytoscape: window.cytoscape?.version, sigma: Boolean(window.Sigma), graphology: Boolean(window.graphology) }),

  /** Draw `data` from nothing: the first frame. */
  async start(kind, data) {
    if (current) current.destroy();
    current = null;
    const start = performance.now();
    if (kind === "cytoscape") {
      current = startCytoscape(data);
      // Cytoscape draws on its next animation frame, after this returns.
      const script = performance.now() - start;
      return { script, painted: await painted(start, current.rendered(), "first frame"), elements: current.count() };
    }
    // sigma draws inside its constructor: time the call, then wait for the frame.
    current = startSigma(data);
    const script = performance.now() - start;
    flush(current.canvases());
    await nextFrame();
    return { script, painted: performance.now() - start, elements: current.count() };
  },

  /** Add what is not drawn yet (a neighbourhood, a path's concepts) and light `lit`. */
  light(more, lit) {
    return timed("light", () => {
      const added = more ? current.add(more) : 0;
      current.light(lit);
      return added;
    });
  },

  /** Pan and zoom by one step: one frame. */
  move() {
    return timed("move", () => current.move());
  },

  /** Nothing changed: two animation frames (the reference). */
  async idle() {
    const start = performance.now();
    await nextFrame();
    await nextFrame();
    return { script: 0, painted: performance.now() - start, elements: current.count() };
  },
};
