"""What the readers' browser tests check on every page: nothing cut off, nothing sideways.

A page passes when the document does not scroll sideways and no element of the main content
is wider inside than out (scrollWidth > clientWidth: content clipped or scrolled away). Plotly's
own drawing (SVG inside .js-plotly-plot) is left out: it sizes itself to its box, and so is
what is visually hidden on purpose (clipped to nothing, for screen readers). Set
BROWSER_SCREENSHOTS to a folder to keep a full-page screenshot of each page checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

WIDTHS = (1400, 390)

CLIPPED_JS = """() => {
  // Visually hidden on purpose (clipped to nothing, read by screen readers): a phone card's headers.
  const hidden = (el) => {
    for (let e = el; e && e.tagName !== "MAIN"; e = e.parentElement) {
      if (getComputedStyle(e).clip === "rect(0px, 0px, 0px, 0px)") return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll("main *")) {
    if (el.closest(".js-plotly-plot") || el.closest("svg") || hidden(el)) continue;
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      const classes = typeof el.className === "string" && el.className ? "." + el.className : "";
      found.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes +
                 " " + el.scrollWidth + ">" + el.clientWidth);
    }
  }
  return found;
}"""

SIDEWAYS_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


def new_page(browser: Any, width: int, **kwargs: Any) -> Any:
    return browser.new_page(viewport={"width": width, "height": 900}, **kwargs)


def assert_nothing_cut_off(page: Any, name: str) -> None:
    screenshot(page, name)
    assert page.evaluate(SIDEWAYS_JS) <= 0, f"{name}: the document scrolls sideways"
    clipped = page.evaluate(CLIPPED_JS)
    assert not clipped, f"{name}: cut off: {clipped[:5]}"


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"]
        safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{safe}-{width}.png"), full_page=True)


def assert_within_viewport(page: Any, selector: str) -> int:
    """Every element the selector finds is visible and lies inside the viewport's width."""
    boxes = page.eval_on_selector_all(
        selector,
        """els => els.map(e => { const r = e.getBoundingClientRect();
            return [r.left, r.right, r.width, r.height, getComputedStyle(e).visibility]; })""",
    )
    width = page.viewport_size["width"]
    for left, right, w, h, visibility in boxes:
        assert w > 0 and h > 0 and visibility == "visible", (selector, left, right, w, h)
        assert left >= 0 and right <= width + 0.5, (selector, left, right, width)
    return len(boxes)
