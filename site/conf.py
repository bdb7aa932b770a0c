"""Sphinx configuration of the course's static website (``python site/build.py`` stages the sources and runs it).

The pages come from the notebooks' stored outputs: nothing is executed (``nb_execution_mode = "off"``), and
nothing is fetched at build or read time: MathJax 3 is copied into the site by ``sphinx-mathjax-offline``,
the theme bundles its fonts and icons, and the widget JavaScript (which myst-nb would load from a CDN) is
switched off because the build replaces widgets by their stored pictures.
"""
from __future__ import annotations

project = "bpcourse: backpropagation, derived step by step and checked by machine"
author = "the bpcourse authors"
copyright = "the bpcourse authors, MIT licence"
root_doc = "index"

extensions = ["myst_nb", "sphinx-mathjax-offline"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no widget manager from a CDN: widgets are shown as their stored pictures
nb_merge_streams = True
suppress_warnings = ["mystnb.unknown_mime_type"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "exercises/downloads"]

html_theme = "sphinx_book_theme"
html_title = "bpcourse"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
}
# MathJax's own defaults read $...$ only in HTML text; myst has already turned the notebooks' math into
# MathJax's \(...\) and \[...\] delimiters.
mathjax3_config = {"tex": {"tags": "ams"}}
