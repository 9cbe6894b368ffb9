"""Chunker properties, in the embedding model's own tokens."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai.chunking import Chunker, split_sentences
from ai.embeddings import get_embedder
from core.plaintext import Section

TOKENIZER = get_embedder().tokenizer
MAX = 120
OVERLAP = 24

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüß", min_size=1, max_size=12)
sentences = st.lists(words, min_size=1, max_size=40).map(lambda ws: " ".join(ws).capitalize() + ".")
section_texts = st.lists(sentences, min_size=0, max_size=30).map(" ".join)
sections = st.lists(
    st.builds(
        Section,
        heading_path=st.lists(st.text(min_size=1, max_size=20), max_size=2),
        anchor=st.text(alphabet="abc-", max_size=10),
        text=section_texts,
    ),
    max_size=5,
)


def chunker():
    return Chunker(TOKENIZER, max_tokens=MAX, overlap_tokens=OVERLAP)


def token_count(text):
    return len(TOKENIZER.encode(text, add_special_tokens=False).ids)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections)
def test_every_sentence_lands_in_a_chunk_of_its_section(page_sections):
    drafts = chunker().chunk_sections(page_sections)
    for section in page_sections:
        texts = [d.text for d in drafts if list(d.heading_path) == list(section.heading_path)]
        joined = " ".join(texts)
        for sentence in split_sentences(section.text):
            if token_count(sentence) <= MAX:
                assert sentence in joined


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections)
def test_chunks_stay_within_the_token_budget_and_are_numbered(page_sections):
    drafts = chunker().chunk_sections(page_sections)
    assert [d.position for d in drafts] == list(range(len(drafts)))
    for draft in drafts:
        assert 0 < draft.token_count <= MAX
        assert draft.token_count == token_count(draft.text)


@settings(max_examples=30, deadline=None)
@given(sections)
def test_chunking_is_deterministic(page_sections):
    assert chunker().chunk_sections(page_sections) == chunker().chunk_sections(page_sections)


def test_chunks_keep_heading_path_and_anchor_and_overlap():
    text = " ".join(f"Sentence number {n} talks about harbours and ferries." for n in range(60))
    drafts = chunker().chunk_sections(
        [Section(heading_path=["Boats", "Ferries"], anchor="ferries", text=text)]
    )
    assert len(drafts) > 2
    assert all(d.heading_path == ("Boats", "Ferries") and d.anchor == "ferries" for d in drafts)
    # Consecutive chunks share their boundary sentence(s).
    for first, second in itertools.pairwise(drafts):
        assert split_sentences(first.text)[-1] in second.text


def test_empty_page_gives_no_chunks():
    assert chunker().chunk_sections([]) == []
    assert chunker().chunk_sections([Section(text="   \n\n ")]) == []


def test_a_sentence_longer_than_a_chunk_is_cut_on_token_boundaries():
    monster = " ".join(["supercalifragilistic"] * 400) + "."
    drafts = chunker().chunk_sections([Section(text=monster)])
    assert len(drafts) > 5
    assert all(d.token_count <= MAX for d in drafts)
    assert all(d.text.strip() for d in drafts)


def test_very_large_page_of_200k_characters():
    paragraph = "The tram network grew street by street through the nineteenth century. " * 20
    text = "\n\n".join([paragraph] * 145)
    assert len(text) > 200_000
    drafts = Chunker(TOKENIZER).chunk_sections([Section(text=text)])
    assert len(drafts) > 150
    assert max(d.token_count for d in drafts) <= 220


@pytest.mark.parametrize(
    "text",
    [
        "東京は日本の首都です。人口は約千四百万人です。多くの路面電車が走っていました。" * 20,
        "Ο σταθμός βρίσκεται κοντά στο λιμάνι. Τα πλοία φεύγουν κάθε πρωί. " * 30,  # noqa: RUF001
        "يقع المتحف قرب الميناء. تغادر السفن كل صباح. " * 30,
    ],
)
def test_non_latin_text(text):
    drafts = Chunker(TOKENIZER, max_tokens=60, overlap_tokens=10).chunk_sections(
        [Section(text=text)]
    )
    assert len(drafts) > 1
    assert all(0 < d.token_count <= 60 for d in drafts)
    first_sentence = split_sentences(text)[0]
    assert first_sentence in drafts[0].text
