"""The offline backend answers the question: quotes chosen per question part
and type (a list for "which", a frequency for "how often"), cited to the
section they came from, unrelated sources left uncited, and a plain answer
when the sources do not say."""

import re

import pytest

from ai import extractive
from ai.llm import OfflineBackend, Passage
from blog.demo import load

POSTS = {post["slug"]: post for post in load("posts.json")}


def demo_passages(*slugs):
    """One passage per section of the demo posts, text joined as the chunker
    joins it (list items on one line, each ended with ";", the last with ".",
    as core.plaintext punctuates them)."""
    passages = []
    for slug in slugs:
        post = POSTS[slug]
        sections, heading, texts = [], "", [post["intro"]]
        for block in post["body"]:
            if block["type"] == "heading":
                sections.append((heading, texts))
                heading, texts = block["text"], []
            else:
                items = block.get("items")
                texts.append("; ".join(items) + "." if items else block.get("text", ""))
        sections.append((heading, texts))
        for heading, texts in sections:
            title = f"{post['title']} — {heading}" if heading else post["title"]
            passages.append(Passage(number=len(passages) + 1, title=title, text=" ".join(texts)))
    return passages


def cited(answer):
    return {int(number) for number in re.findall(r"\[(\d+)\]", answer)}


def numbers_of(passages, slug):
    title = POSTS[slug]["title"]
    return {passage.number for passage in passages if passage.title.startswith(title)}


def test_which_and_how_often_names_the_plants_and_the_watering_rule():
    passages = demo_passages(
        "houseplants-for-low-light-flats", "keeping-a-sourdough-starter-healthy"
    )
    question = "Which plants cope with a dim room, and how often should I water them in winter?"
    answer = OfflineBackend().answer(passages, question)
    for plant in ("ZZ plant", "Snake plant", "Cast iron plant", "Pothos", "Chinese evergreen"):
        assert plant in answer
    assert "water only when the top few centimetres of compost are dry" in answer
    assert cited(answer) and cited(answer) <= numbers_of(
        passages, "houseplants-for-low-light-flats"
    )
    list_section = next(p.number for p in passages if p.title.endswith("tolerate the gloom"))
    assert list_section in cited(answer)


@pytest.mark.parametrize(
    ("question", "slug", "other", "fact"),
    [
        (
            "How do I fix a bicycle puncture at the roadside?",
            "fixing-a-bicycle-puncture-at-the-roadside",
            "walking-the-old-canal-towpath",
            "patch",
        ),
        (
            "How often should I feed my sourdough starter?",
            "keeping-a-sourdough-starter-healthy",
            "houseplants-for-low-light-flats",
            "starter",
        ),
        (
            "How do I dial in espresso grind size?",
            "dialling-in-espresso-grind-size",
            "seasoning-a-cast-iron-pan",
            "grind",
        ),
    ],
)
def test_answers_cite_only_the_page_that_answers(question, slug, other, fact):
    passages = demo_passages(other, slug)
    answer = OfflineBackend().answer(passages, question)
    assert fact in answer.lower()
    assert cited(answer) and cited(answer) <= numbers_of(passages, slug)
    assert not cited(answer) & numbers_of(passages, other)


def test_how_often_prefers_a_frequency_from_the_right_page():
    passages = demo_passages(
        "keeping-a-sourdough-starter-healthy", "houseplants-for-low-light-flats"
    )
    answer = OfflineBackend().answer(passages, "How often should I feed my sourdough starter?")
    assert re.search(r"\b(?:weeks?|hours?|days?|every|once|twice)\b", answer), answer


def test_the_answer_says_plainly_when_the_sources_do_not_say():
    passages = demo_passages("houseplants-for-low-light-flats")
    answer = OfflineBackend().answer(passages, "What is the capital of Peru?")
    assert answer == extractive.NOT_FOUND
    assert not cited(answer)


@pytest.mark.parametrize(
    ("question", "parts", "kinds"),
    [
        (
            "Which plants cope with a dim room, and how often should I water them in winter?",
            2,
            ["which", "how often"],
        ),
        ("How many hours does a starter take to double?", 1, ["how many"]),
        ("When do the Perseids peak? Where should I look?", 2, ["when", "where"]),
        ("Why does my pan rust?", 1, ["why"]),
    ],
)
def test_questions_split_into_typed_parts(question, parts, kinds):
    found = extractive.question_parts(question)
    assert len(found) == parts
    assert [extractive.question_type(part) for part in found] == kinds


def test_run_together_list_items_stay_one_quoted_list():
    passage = Passage(
        number=1,
        title="Plants — Plants that tolerate the gloom",
        text="ZZ plant: stores water for weeks Snake plant: tolerates neglect Pothos: trails",
    )
    units = extractive.units_of([passage])
    assert len(units) == 1 and units[0].is_list
    assert units[0].items == (
        "ZZ plant: stores water for weeks",
        "Snake plant: tolerates neglect",
        "Pothos: trails",
    )


def test_streaming_yields_the_same_cited_answer():
    passages = demo_passages("houseplants-for-low-light-flats")
    backend = OfflineBackend()
    question = "Which plants cope with a dim room?"
    streamed = "".join(backend.stream([], passages=passages, question=question))
    assert streamed == backend.answer(passages, question)
    assert "Pothos" in streamed


@pytest.mark.parametrize(
    ("question", "slug", "other", "steps"),
    [
        (
            "How do I season a cast iron pan?",
            "seasoning-a-cast-iron-pan",
            "keeping-a-sourdough-starter-healthy",
            ["- Rub a small amount of oil over every surface", "- Repeat three to six times"],
        ),
        (
            "How should I care for houseplants in winter?",
            "houseplants-for-low-light-flats",
            "keeping-a-sourdough-starter-healthy",
            ["Overwatering, not darkness", "Stop feeding from October until spring"],
        ),
        (
            "How do I dial in espresso?",
            "dialling-in-espresso-grind-size",
            "seasoning-a-cast-iron-pan",
            ["Move the grinder in small steps"],
        ),
    ],
)
def test_how_to_questions_are_answered_with_the_pages_steps(question, slug, other, steps):
    passages = demo_passages(slug, other)
    answer = OfflineBackend().answer(passages, question)
    for step in steps:
        assert step in answer, answer
    assert cited(answer) and cited(answer) <= numbers_of(passages, slug)


@pytest.mark.parametrize(
    ("text", "instruction"),
    [
        ("Rub a small amount of oil over every surface", True),
        ("Then wipe it off again with a clean cloth", True),
        ("If rust appears, scrub the patch and re-season it.", True),
        ("Sour and fast: grind finer", True),
        ("ZZ plant: glossy leaves and thick rhizomes", False),
        ("Balanced but weak: try a shorter ratio such as 1:1.8", True),
        ("Cast iron is almost impossible to ruin.", False),
        ("Seasoning is a thin, hard film of polymerised oil.", False),
    ],
)
def test_instructions_are_told_from_description(text, instruction):
    assert extractive.is_instruction(text) is instruction


def test_how_do_i_asks_for_steps_and_how_does_it_for_an_explanation():
    assert extractive.question_type("How do I season a pan") == "how to"
    assert extractive.question_type("how to patch a tube") == "how to"
    assert extractive.question_type("How does seasoning work") == "how"
