"""Write plotly's own style rules to static/vendor/plotly/plotly.css, for pages under a strict CSP.

plotly.js inserts its rules into an inline <style> element when it loads, which the site's
Content-Security-Policy (style-src 'self') refuses. A page that marks that element's id
`plotly.js-style-global` with the class `no-inline-styles` makes plotly skip the insertion;
the same rules then come from this file. They are read from the pinned plotly itself in
Chromium, so regenerate the file when plotly is upgraded (a browser test compares them):

    .venv/bin/python scripts/plotly_css.py
"""

from __future__ import annotations

from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parent.parent
# Beside plotly.min.js, which settings.STATICFILES_DIRS serves from the package under vendor/plotly/:
# these rules are plotly's own, not the site's.
TARGET = ROOT / "static" / "vendor" / "plotly" / "plotly.css"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
READ_RULES = """() => Array.from(document.getElementById("plotly.js-style-global").sheet.cssRules)
  .map((rule) => rule.cssText).join("\\n")"""


def plotly_rules(page: object) -> str:
    """The rules plotly inserts, as Chromium serialises them, in the page given (playwright)."""
    page.set_content("<!doctype html><html><head></head><body></body></html>")  # type: ignore[attr-defined]
    page.add_script_tag(content=PLOTLY_JS.read_text())  # type: ignore[attr-defined]
    return str(page.evaluate(READ_RULES))  # type: ignore[attr-defined]


def css_text(rules: str) -> str:
    header = f"/* plotly {plotly.__version__} style rules, written by scripts/plotly_css.py. */\n"
    return header + rules + "\n"


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        TARGET.write_text(css_text(plotly_rules(browser.new_page())))
        browser.close()
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
