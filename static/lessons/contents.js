// The table of contents of a concept page ([data-contents]): marks the section in view.
// The links are plain anchors, so without JavaScript they still jump to each section;
// this module only adds aria-current="location" to the entry of the section being read,
// and folds the list on narrow screens, where it sits above the lesson.

const WIDE = "(min-width: 1200px)"; // as in site.css: the contents become a sticky column
const READING_LINE = 0.25; // a section is current once its heading passes this height

function start(nav) {
  const links = [...nav.querySelectorAll('a[href^="#"]')];
  const entries = links
    .map((link) => ({ link, target: document.getElementById(decodeURIComponent(link.hash.slice(1))) }))
    .filter((entry) => entry.target);
  if (!entries.length) return;
  const details = nav.querySelector("[data-contents-details]");
  if (details && !window.matchMedia(WIDE).matches) details.open = false;

  let current = null;
  // The entry last clicked stays current until the reader scrolls on: a short last section
  // never reaches the reading line, yet it is the one asked for.
  let pinned = null;

  function mark(entry) {
    if (entry === current) return;
    if (current) current.link.removeAttribute("aria-current");
    current = entry;
    if (entry) {
      entry.link.setAttribute("aria-current", "location");
      nav.dataset.current = entry.target.id;
    }
  }

  function inView() {
    if (pinned) return pinned;
    const line = window.innerHeight * READING_LINE;
    let found = null;
    for (const entry of entries) {
      if (entry.target.getBoundingClientRect().top <= line) found = entry;
      else if (found) break; // the entries follow the page's order
    }
    return found;
  }

  const observer = new IntersectionObserver(() => mark(inView()), {
    rootMargin: `0px 0px -${100 - READING_LINE * 100}% 0px`,
  });
  for (const entry of entries) observer.observe(entry.target);
  const unpin = () => {
    if (pinned) {
      pinned = null;
      mark(inView());
    }
  };
  for (const type of ["wheel", "touchmove", "keydown"]) {
    window.addEventListener(type, unpin, { passive: true });
  }

  nav.addEventListener("click", (event) => {
    const entry = entries.find((e) => e.link === event.target.closest("a"));
    if (!entry) return;
    pinned = entry;
    mark(entry);
    if (details && !window.matchMedia(WIDE).matches) details.open = false;
  });
  const fromHash = entries.find((e) => e.target.id === decodeURIComponent(location.hash.slice(1)));
  if (fromHash) pinned = fromHash;
  mark(inView());
}

for (const nav of document.querySelectorAll("[data-contents]")) start(nav);
