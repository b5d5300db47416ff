// Building elements without HTML strings (and without inline styles, which the
// Content-Security-Policy forbids): h("p", {class: "note", text: "Hi"}, child, ...).

/** A new element with attributes, listeners (onclick: fn) and children (nodes or strings). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return el;
}

/** A symbol with a subscript, e.g. sub("z", 1) for z₁ (read aloud as "z1"). */
export function sub(symbol, index) {
  return h("span", { class: "sym" }, h("var", { text: symbol }), h("sub", { text: String(index) }));
}
