// Boxes that scroll sideways (code, wide formulas) can be reached with the keyboard: one that
// overflows gets tabindex="0", so arrow keys scroll it; one that fits is left out of the tab
// order. Checked once the page (and its typeset math) has loaded, on resize, and when a
// part of the page is replaced ("content-changed", after math.js has typeset it).

const SCROLLERS = "pre, .math.block, .essential dt";
const MARK = "scrollFocus"; // data-scroll-focus: the tabindex is ours to take back

function update(root = document) {
  for (const el of root.querySelectorAll(SCROLLERS)) {
    const overflows = el.scrollWidth > el.clientWidth + 1;
    if (overflows && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.dataset[MARK] = "";
    } else if (!overflows && MARK in el.dataset) {
      el.removeAttribute("tabindex");
      delete el.dataset[MARK];
    }
  }
}

let pending = 0;
function later() {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => update());
}

if (document.readyState === "complete") update();
else window.addEventListener("load", () => update());
window.addEventListener("resize", later);
document.addEventListener("content-changed", (event) => update(event.target));
