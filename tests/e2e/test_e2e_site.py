"""The static website (site/build.py) in Chromium: math typeset by the bundled MathJax, figures shown, the
offline search working, and no request leaving 127.0.0.1. The site is built once (tests/conftest.py); the
browser is the suite's one Chromium (conftest.py here). Screenshots: build/e2e-artifacts/site/.
"""
from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest


@pytest.fixture(scope="module")
def site_page(site, browser):
    """A page of the suite's one Chromium, and the site served on 127.0.0.1; records any request elsewhere."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    outside: list[str] = []
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    try:
        yield page, base, outside
    finally:
        page.close()
        server.shutdown()


# The page's text outside code and typeset math: what a reader sees as prose.
_PROSE = """() => {
  const body = document.querySelector('main') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('pre, code, mjx-container, script, style, .cell_input').forEach(e => e.remove());
  return copy.textContent;
}"""


@pytest.mark.parametrize("name", ["02_chain_rule_and_graphs", "07_matrix_form", "10_capstone_digits"])
def test_math_is_typeset_and_figures_show_in_a_browser(site_page, artifacts, name):
    (artifacts / "site").mkdir(exist_ok=True)
    page, base, outside = site_page
    page.goto(base + f"{name}.html")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
    page.evaluate("MathJax.startup.promise")
    assert page.locator("mjx-container").count() > 10, "MathJax typeset (almost) nothing"
    prose = page.evaluate(_PROSE)
    # MathJax replaces every \(...\) and \[...\] it typesets; what is left is raw TeX a reader would see
    leftovers = re.findall(r"\\[(\[]|\\(?:frac|delta|sigma|partial|eta|sum|cdot)\b|\$\$?[^$\s][^$]*\$", prose)
    assert not leftovers, f"untypeset TeX on the page: {leftovers[:5]}"
    images = page.locator("img[src*='_images/']")
    assert images.count() >= 1
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        assert page.evaluate("(e) => e.complete && e.naturalWidth > 100", img.element_handle()), f"image {i}"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "site" / f"{name}.png"))
    assert not outside, f"the page requested outside URLs: {outside[:5]}"


def test_search_works_offline_in_a_browser(site_page):
    page, base, outside = site_page
    page.goto(base + "search.html?q=sigmoid")
    page.wait_for_selector("#search-results li", timeout=30000)
    assert page.locator("#search-results li").count() >= 3
    assert not outside, f"search requested outside URLs: {outside[:5]}"
