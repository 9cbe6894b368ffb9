"""The stylesheets under static/css: each one well formed (a stray brace
silently swallows every rule after it) and each one linked from a template,
so a new sheet is never orphaned. The browser check of the same sheets is
tests/e2e/test_smoke.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

CSS_DIR = settings.BASE_DIR / "static" / "css"
STYLESHEETS = sorted(CSS_DIR.glob("*.css"))
# Sheets base.html links on every page, in cascade order.
GLOBAL_SHEETS = [
    "base",
    "components",
    "layout",
    "blocks",
    "pages",
    "shop",
    "community",
    "notifications",
    "assistant",
    "pygments",
]


def without_comments_and_strings(css):
    """The CSS text with comments removed and string contents blanked."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", '""', css)


def project_templates():
    """Every template file of the project (not of installed packages)."""
    for directory in engines["django"].template_dirs:
        directory = Path(directory)
        if "site-packages" in directory.parts or not directory.is_dir():
            continue
        yield from directory.rglob("*.html")


def linked_stylesheets(text):
    """The names of the css/ files a template links through {% static %}."""
    return re.findall(r"""\{%\s*static\s+['"]css/([\w-]+)\.css['"]\s*%\}""", text)


def test_there_are_stylesheets():
    assert {path.stem for path in STYLESHEETS} >= set(GLOBAL_SHEETS) | {"accounts", "rooms"}


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_has_balanced_braces_and_closed_comments(path):
    css = path.read_text()
    assert css.count("/*") == css.count("*/"), "an unclosed comment swallows the rest"
    depth = 0
    for line_number, line in enumerate(without_comments_and_strings(css).splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{path.name}:{line_number}: a closing brace too many"
    assert depth == 0, f"{path.name}: {depth} unclosed brace(s)"


def test_every_stylesheet_is_linked_from_a_template():
    linked = set()
    for template in project_templates():
        linked.update(linked_stylesheets(template.read_text()))
    orphans = sorted(path.name for path in STYLESHEETS if path.stem not in linked)
    assert orphans == []
    missing = sorted(name for name in linked if not (CSS_DIR / f"{name}.css").exists())
    assert missing == []


def test_base_template_links_the_global_sheets_in_cascade_order():
    base = (settings.BASE_DIR / "templates" / "base.html").read_text()
    assert linked_stylesheets(base) == GLOBAL_SHEETS
    # Page-specific sheets come after the global ones, so they may refine them.
    assert base.index("{% block stylesheets %}") > base.index("css/pygments.css")
