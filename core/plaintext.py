"""Plain text out of StreamField and rich text, for reading times, feeds,
meta descriptions and the AI index.

`stream_sections()` walks a body in order and groups its text under the
heading it appears beneath, keeping each heading's anchor, so a citation can
link to the exact section a passage came from.
"""

import html
import re
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from wagtail import blocks
from wagtail.contrib.typed_table_block.blocks import TypedTable
from wagtail.rich_text import RichText

WORDS_PER_MINUTE = 230
_BLOCK_TAGS = re.compile(
    r"</(p|li|h[1-6]|blockquote|div|tr)>|<br\s*/?>|<(ul|ol)\b[^>]*>", re.IGNORECASE
)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LIST_ITEM_END = re.compile(r"</li\s*>", re.IGNORECASE)
_ITEM_FOLLOWS = re.compile(r"\s*<li[\s>]", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?…:;,]$")


def _punctuate_list_items(markup):
    """End each list item that has no closing punctuation with ";" (or "."
    for a list's last item). Search snippets and index passages flatten line
    breaks, and without this a list reads as one run-on sentence."""
    pieces = _LIST_ITEM_END.split(markup)
    punctuated = []
    for index, piece in enumerate(pieces[:-1]):
        tail = html.unescape(strip_tags(piece)).rstrip()
        mark = ""
        if tail and not _CLAUSE_END.search(tail):
            mark = ";" if _ITEM_FOLLOWS.match(pieces[index + 1]) else "."
        punctuated.append(f"{piece}{mark}</li>")
    punctuated.append(pieces[-1])
    return "".join(punctuated)


def html_to_text(markup):
    """Readable text from HTML or Wagtail rich text: tags dropped, entities
    decoded, list items ended with punctuation."""
    if isinstance(markup, RichText):
        markup = markup.source
    markup = _punctuate_list_items(str(markup or ""))
    markup = _BLOCK_TAGS.sub(lambda match: match.group(0) + "\n", markup)
    text = html.unescape(strip_tags(markup))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _value_text(block, value):
    """Text of one block value, depth first; choosers and media yield nothing."""
    if value is None:
        return []
    if isinstance(block, blocks.RichTextBlock) or isinstance(value, RichText):
        text = html_to_text(value)
        return [text] if text else []
    if isinstance(block, blocks.StructBlock):
        parts = []
        for name, child in block.child_blocks.items():
            parts.extend(_value_text(child, value.get(name)))
        return parts
    if isinstance(block, blocks.ListBlock):
        parts = []
        for item in value:
            parts.extend(_value_text(block.child_block, item))
        return parts
    if isinstance(block, blocks.StreamBlock):
        parts = []
        for child in value:
            parts.extend(_value_text(child.block, child.value))
        return parts
    if isinstance(value, TypedTable):
        return [_table_text(value)]
    if isinstance(block, blocks.ChoiceBlock | blocks.BooleanBlock):
        return []
    if isinstance(block, blocks.FieldBlock) and isinstance(value, str):
        text = value.strip()
        return [text] if text else []
    return []


def _table_text(value):
    rows = []
    headings = [column["heading"] for column in value.columns]
    if any(headings):
        rows.append(" | ".join(headings))
    for row in value.rows:
        cells = []
        for cell in row:
            cells.extend(_value_text(cell.block, cell.value) or [""])
        rows.append(" | ".join(cells))
    caption = getattr(value, "caption", "")
    return "\n".join(([caption] if caption else []) + rows)


def stream_text(stream_value):
    """All readable text of a StreamField value, one block per paragraph."""
    if not stream_value:
        return ""
    parts = []
    for child in stream_value:
        parts.extend(_value_text(child.block, child.value))
    return "\n\n".join(part for part in parts if part)


def reading_time_minutes(*texts):
    """Minutes to read the given texts at an unhurried pace (at least 1)."""
    words = sum(len(text.split()) for text in texts if text)
    return max(1, round(words / WORDS_PER_MINUTE))


@dataclass
class Section:
    """A run of text under one heading: what a citation can point at."""

    heading_path: list = field(default_factory=list)
    anchor: str = ""
    text: str = ""


def stream_sections(stream_value, heading_block_types=("heading",)):
    """Split a body into sections at its heading blocks.

    Each section carries the path of headings above it (an H3 under an H2
    gives both) and the anchor of the nearest heading; text before the first
    heading forms a section with an empty path.
    """
    sections = [Section()]
    path = []
    for child in stream_value or []:
        if child.block_type in heading_block_types:
            text = (child.value.get("text") or "").strip()
            level = 3 if child.value.get("level") == "h3" else 2
            path = [*path[: level - 2], text] if level == 3 and path else [text]
            sections.append(Section(heading_path=list(path), anchor=child.value.anchor_id()))
            continue
        text = "\n\n".join(_value_text(child.block, child.value))
        if text:
            current = sections[-1]
            current.text = f"{current.text}\n\n{text}" if current.text else text
    return [section for section in sections if section.text]
