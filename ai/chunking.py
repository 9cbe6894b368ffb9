"""Structure-aware chunking measured in the embedding model's own tokens.

A page arrives as sections (text under a heading path). Each section is split
into sentences, sentences are packed greedily into chunks of at most
`max_tokens` word pieces, and consecutive chunks of a section share up to
`overlap_tokens` of trailing sentences so an idea that straddles a boundary is
retrievable from either side. A sentence longer than a chunk is cut on token
boundaries (with the same overlap). Chunks never cross a heading, so each one
keeps the heading path and anchor a citation links to.

The result is deterministic: the same sections always give the same chunks.
"""

import re
from dataclasses import dataclass, field

# Sentence ends: Latin punctuation followed by space, or CJK full stops (which
# are not followed by spaces). Paragraph breaks always end a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|(?<=[。！？])")  # noqa: RUF001
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"\s+")

DEFAULT_MAX_TOKENS = 220
DEFAULT_OVERLAP_TOKENS = 40


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk before it is embedded and stored."""

    position: int
    heading_path: tuple
    anchor: str
    text: str
    token_count: int


@dataclass
class _Piece:
    text: str
    tokens: int
    start: int  # index of the sentence the piece comes from (for overlap bookkeeping)
    parts: list = field(default_factory=list)


def split_sentences(text):
    """Sentences of a text, whitespace-normalised, in order."""
    sentences = []
    for paragraph in _PARAGRAPH.split(text or ""):
        for sentence in _SENTENCE_END.split(paragraph):
            sentence = _SPACES.sub(" ", sentence).strip()
            if sentence:
                sentences.append(sentence)
    return sentences


class Chunker:
    """Packs section text into overlapping chunks of bounded token length."""

    def __init__(
        self,
        tokenizer,
        max_tokens=DEFAULT_MAX_TOKENS,
        overlap_tokens=DEFAULT_OVERLAP_TOKENS,
    ):
        if not 0 <= overlap_tokens < max_tokens:
            raise ValueError("overlap_tokens must be smaller than max_tokens")
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens

    def chunk_sections(self, sections):
        """ChunkDrafts for the sections, numbered in reading order."""
        drafts = []
        for section in sections:
            for text, tokens in self._chunk_text(section.text):
                drafts.append(
                    ChunkDraft(
                        position=len(drafts),
                        heading_path=tuple(section.heading_path or ()),
                        anchor=section.anchor or "",
                        text=text,
                        token_count=tokens,
                    )
                )
        return drafts

    # Internals -----------------------------------------------------------

    def _pieces(self, text):
        """Sentences with token counts; over-long sentences cut into windows."""
        sentences = split_sentences(text)
        if not sentences:
            return []
        encodings = self.tokenizer.encode_batch(sentences, add_special_tokens=False)
        pieces = []
        for index, (sentence, encoding) in enumerate(zip(sentences, encodings, strict=True)):
            count = len(encoding.ids)
            if count <= self.max_tokens:
                pieces.append(_Piece(sentence, count, index))
                continue
            for window in self._windows(sentence, encoding):
                pieces.append(_Piece(window[0], window[1], index))
        return pieces

    def _windows(self, sentence, encoding):
        """Cut one long sentence into overlapping token windows (text, tokens)."""
        offsets = encoding.offsets
        step = self.max_tokens - self.overlap_tokens
        windows = []
        for start in range(0, len(offsets), step):
            end = min(start + self.max_tokens, len(offsets))
            text = sentence[offsets[start][0] : offsets[end - 1][1]].strip()
            if text:
                windows.append((text, end - start))
            if end == len(offsets):
                break
        return windows

    def _chunk_text(self, text):
        """(text, token count) of each chunk of one section."""
        pieces = self._pieces(text)
        chunks = []
        current = []
        current_tokens = 0
        for piece in pieces:
            # +1 token per join is a safe upper bound for the space between pieces.
            if current and current_tokens + 1 + piece.tokens > self.max_tokens:
                chunks.append(current)
                current = self._overlap_tail(current, piece.tokens)
                current_tokens = self._tokens_of(current)
            current.append(piece)
            current_tokens = self._tokens_of(current)
        if current:
            chunks.append(current)
        texts = [" ".join(piece.text for piece in chunk) for chunk in chunks]
        if not texts:
            return []
        # Report exact counts of the joined text (the packing used an upper bound).
        exact = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [(text, len(encoding.ids)) for text, encoding in zip(texts, exact, strict=True)]

    def _overlap_tail(self, chunk, next_tokens):
        """Trailing pieces of a full chunk to repeat at the start of the next."""
        tail = []
        budget = min(self.overlap_tokens, self.max_tokens - next_tokens - 1)
        for piece in reversed(chunk):
            if self._tokens_of([piece, *tail]) > budget:
                break
            tail.insert(0, piece)
        # Never repeat the whole previous chunk: that would not make progress.
        return tail if len(tail) < len(chunk) else tail[1:]

    @staticmethod
    def _tokens_of(pieces):
        if not pieces:
            return 0
        return sum(piece.tokens for piece in pieces) + len(pieces) - 1
