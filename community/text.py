"""Comment text: stored as typed, rendered through one function that escapes
it, makes links clickable and runs the result through nh3, so no HTML a
reader types can ever reach a page."""

import hashlib
import re

import nh3
from django.utils.html import urlize
from django.utils.safestring import mark_safe

LINK_REL = "nofollow ugc noopener"
ALLOWED_TAGS = {"a", "br", "p"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def normalise(text):
    """The text with Windows newlines, trailing spaces and surrounding
    blank lines removed: what is stored."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def fingerprint(text):
    """A hash that is equal for texts differing only in case and spacing."""
    folded = " ".join(text.casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def render_comment_body(text):
    """Safe HTML for a comment's raw text: paragraphs, line breaks and
    http(s)/mailto links with rel="nofollow ugc noopener"; everything else the
    text contains is shown as text."""
    paragraphs = []
    for paragraph in PARAGRAPH_BREAK.split(normalise(text)):
        # urlize escapes everything that is not a link it creates.
        linked = urlize(paragraph, nofollow=True, autoescape=True)
        paragraphs.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    # Belt and braces: nh3 keeps only <p>, <br> and <a href> with an allowed
    # scheme, whatever urlize produced.
    cleaned = nh3.clean(
        "".join(paragraphs),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output with a fixed allow-list
