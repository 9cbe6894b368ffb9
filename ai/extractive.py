"""Question-aware extractive answers: what the offline backend says.

The answer is made only of quotes from the passages, each cited, so nothing
is invented. A question is split into its parts ("which plants ..., and how
often should I water them?" is two), each part's type is read from its
question words (which/what, how often, how many/much, when, where, why,
how), and for each part the quote chosen is the unit that is closest in
meaning *and* has the shape of an answer of that type: a list for "which",
a frequency or condition for "how often", a number for "how many", steps
(instructions, or a list of them, from one page) for "how do I", and so on.
A list is quoted whole, a sentence that leans on the one before ("This
...", "They ...") brings it along, and passages no quote came from are not
cited. When nothing is close enough the answer says so plainly.
"""

import re
from dataclasses import dataclass

import numpy as np

NOT_FOUND = "The site's pages do not answer that."
MIN_SIMILARITY = 0.3  # below this a unit is not about the question part
HOW_TO_QUOTES = 3  # most quotes for one open (how/what/why) part of a question
HOW_TO_MARGIN = 0.1  # how far below the best step another step may be and still join it
# A step on the page that answers may be less like the question than other
# quotes need to be: "Move the grinder in small steps" is how to dial in espresso.
STEP_SIMILARITY = 0.2
SHAPE_BONUS = 0.15  # similarity added to a unit shaped like the answer sought

_SENTENCE = re.compile(r"(?<=[.!?。！？])[\"'”’)\]]*\s+")  # noqa: RUF001 - CJK stops
# A list item as the page's plain text gives it: "ZZ plant: glossy leaves ...",
# possibly run together with the next item when the text lost its line breaks.
_ITEM_START = re.compile(r"(?:(?<=^)|(?<=[a-z0-9;,)])\s+)(?=[A-Z][\w'’ -]{1,30}:\s)")  # noqa: RUF001
_IS_ITEM = re.compile(r"^[A-Z][\w'’ -]{1,30}:\s")  # noqa: RUF001
_LEANS_BACK = re.compile(
    r"^(?:this|that|these|those|it|its|they|them|their|so|but|then|also|and|such)\b", re.I
)
_PRONOUN = re.compile(r"\b(?:it|its|them|they|their|these|those|this|that one)\b", re.I)
_PART_SPLIT = re.compile(
    r"\?\s+|,?\s+(?:and|but|or)\s+(?=(?:which|what|how|when|where|why|who|is|are|can|do|does|should)\b)",
    re.I,
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|hundred|thousand|dozen|half|quarter"
)
_SHAPES = {
    "how often": re.compile(
        r"\b(?:every|each|once|twice|daily|weekly|monthly|yearly|annually|hourly|per"
        r"|a\s+(?:day|week|month|year)|only\s+when|whenever|as\s+soon\s+as)\b"
        rf"|\b(?:\d+|{_NUMBER_WORDS})\s+(?:to\s+\w+\s+)?(?:minutes?|hours?|days?|weeks?|months?)\b",
        re.I,
    ),
    "how many": re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I),
    "when": re.compile(
        r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november"
        r"|december|spring|summer|autumn|winter|morning|evening|night|before|after|until|during"
        r"|once|when)\b",
        re.I,
    ),
    "where": re.compile(
        r"\b(?:in|at|on|near|under|behind|beside|inside|outside|along|from|window|room|shelf"
        r"|north|south|east|west)\b",
        re.I,
    ),
    "why": re.compile(r"\b(?:because|since|so\s+that|so|as|due\s+to|causes?|reason|means)\b", re.I),
    "how": re.compile(
        r"\b(?:use|put|add|feed|water|keep|turn|remove|wipe|empty|mix|press|hold|fill|start"
        r"|stop|set|let|make)\b",
        re.I,
    ),
}


# Verbs that open an instruction ("Rub a little oil over ...", "Pour it off"):
# how a how-to page tells the reader what to do.
_INSTRUCTION_VERBS = frozenset(
    """add adjust allow apply avoid bake begin blend boil bring brush check choose chop clean
    clear close cook cool cover cut discard drain dry dust empty feed fill find fit fix fold
    give grate grease grind heat hold inflate keep knead lay leave let lift look loosen lower
    measure mix move oil open pack patch peel pinch place plant pour press prune pull pump push
    put refresh remove repeat replace rest rinse roll rotate rub sand scrape scrub seal season
    set shake shape sieve sift skim slide soak sow spread sprinkle squeeze stir store strain
    stretch switch take taste test tighten tip top transfer trim tuck turn twist unscrew use
    wait warm wash water weigh whisk wipe wrap stop start skip make mist repot aim go get
    buy try""".split()  # noqa: SIM905 (reads as prose)
)
# What may come before the verb: "Then", "Always", "If it rusts, ...".
_INSTRUCTION_LEAD_IN = re.compile(
    r"^(?:(?:first|then|next|finally|now|always|never|gently|carefully|simply|just)\b,?\s+"
    r"|(?:don't|do\s+not)\s+"
    r"|(?:if|when|once|before|after|while)\b[^,;]{0,80},\s+)*",
    re.I,
)
# "How do I season a pan?", "how can we ...", "how to ...": asking for steps.
_PROCEDURAL = re.compile(r"^how\s+(?:to|(?:do|can|should|would|could)\s+(?:i|you|we|one))\b", re.I)
STEP_LIST_MIN = 2  # instructions run together with ";" that make a list of steps


def page_of(passage):
    """Which page a passage comes from: its URL, or its title before the section."""
    return getattr(passage, "url", "") or passage.title.split(" — ")[0]


def is_instruction(text):
    """True when `text` tells the reader to do something (opens with a verb
    of instruction, perhaps after "Then" or an "If ..., " clause)."""
    # "Sour and fast: grind finer" is an instruction after its label.
    rest = _INSTRUCTION_LEAD_IN.sub("", _IS_ITEM.sub("", text.strip(), count=1), count=1)
    first = rest.split(maxsplit=1)[0].lower().strip(",;:.") if rest.split() else ""
    return first in _INSTRUCTION_VERBS


@dataclass
class Unit:
    """A quotable piece of a passage: a sentence, or a whole list."""

    passage: object
    position: int  # reading order within all passages
    text: str
    is_list: bool = False
    items: tuple = ()


def question_parts(question):
    """The sub-questions of a compound question, in order."""
    parts = [part.strip(" ?,.") for part in _PART_SPLIT.split(question or "")]
    return [part for part in parts if len(part) > 3] or [question or ""]


def question_type(part):
    """which | how often | how many | when | where | why | how to | how | what."""
    lowered = part.lower().strip()
    for kind in ("how often", "how many", "how much", "how long"):
        if lowered.startswith(kind) or f" {kind} " in f" {lowered} ":
            return "how many" if kind in ("how much", "how long") else kind
    if _PROCEDURAL.match(lowered):
        return "how to"
    first = lowered.split()[0] if lowered.split() else ""
    if first in ("which", "when", "where", "why", "how"):
        return first
    return "what"


def units_of(passages):
    """Sentences and lists of the passages, in reading order; consecutive
    list items ("Label: text") become one list unit."""
    units = []
    position = 0
    for passage in passages:
        pieces = []
        for line in (passage.text or "").splitlines():
            for sentence in _SENTENCE.split(line):
                pieces.extend(piece.strip() for piece in _ITEM_START.split(sentence))
        pieces = [" ".join(piece.split()) for piece in pieces if piece and piece.strip()]
        index = 0
        while index < len(pieces):
            if _IS_ITEM.match(pieces[index]):
                items = []
                while index < len(pieces) and _IS_ITEM.match(pieces[index]):
                    items.append(pieces[index].rstrip(" .;,"))
                    index += 1
                if len(items) >= 2:
                    units.append(Unit(passage, position, "; ".join(items), True, tuple(items)))
                    position += 1
                    continue
                pieces_left = items
            else:
                pieces_left = [pieces[index]]
                index += 1
            for piece in pieces_left:
                steps = []
                for step in piece.split("; "):
                    step = step.strip(" .")
                    if steps and step[:1].islower():  # "Ferment in glass; avoid metal"
                        steps[-1] = f"{steps[-1]}; {step}"
                    else:
                        steps.append(step)
                if len(steps) >= STEP_LIST_MIN and sum(map(is_instruction, steps)) >= 2:
                    # A list of steps, as the page's text flattens it ("Scrub ...; Rub ...").
                    units.append(Unit(passage, position, piece, True, tuple(steps)))
                    position += 1
                elif len(piece) >= 20:
                    units.append(Unit(passage, position, piece))
                    position += 1
    return units


def _shape_score(kind, unit):
    if kind == "which":
        return 1.0 if unit.is_list else 0.0
    if kind == "how to":
        steps = unit.items if unit.is_list else (unit.text,)
        return 1.0 if any(map(is_instruction, steps)) else 0.0
    shape = _SHAPES.get(kind)
    return 1.0 if shape is not None and shape.search(unit.text) else 0.0


_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
_QUESTION_WORD_TEXT = """
which what when where why how who whom whose often many much long should would could can
    does did are the and for with that this them they their there your you our from into about
    have has had was were will shall may might must not any some"""
_QUESTION_WORDS = frozenset(_QUESTION_WORD_TEXT.split())
LEXICAL_WEIGHT = 0.3  # similarity added for the share of the part's words a unit contains
# Question types whose answer has a recognisable shape: when some unit with
# that shape is about the part, the answer is chosen among those units.
_SHAPED_TYPES = frozenset({"which", "how often", "how many", "when"})


def _stems(text):
    return {word[:5] for word in _CONTENT_WORD.findall(text.lower())} - {
        word[:5] for word in _QUESTION_WORDS
    }


def choose(question, units, unit_vectors, embed):
    """The units that answer the question's parts, in reading order."""
    parts = question_parts(question)
    own_words = [_stems(part) for part in parts]
    # "how often should I water them": "them" are what the part before asked about.
    parts = [
        f"{part} ({parts[number - 1]})" if number and _PRONOUN.search(part) else part
        for number, part in enumerate(parts)
    ]
    part_vectors = embed(parts)
    unit_stems = [_stems(unit.text) for unit in units]
    chosen = []
    for part, wanted, part_vector in zip(parts, own_words, part_vectors, strict=True):
        kind = question_type(part)
        similarity = unit_vectors @ part_vector
        about = similarity >= MIN_SIMILARITY
        if not about.any():
            continue
        lexical = np.array(
            [len(wanted & stems) / len(wanted) if wanted else 0.0 for stems in unit_stems]
        )
        shaped = np.array([_shape_score(kind, unit) for unit in units])
        relevance = similarity + LEXICAL_WEIGHT * lexical
        if kind == "how to":
            picks = _steps(units, relevance, shaped, about)
            if picks:
                chosen.extend(units[index] for index in picks if units[index] not in chosen)
                continue
            kind = "how"  # the page that answers gives no steps: answer as an open "how"
        scores = relevance + SHAPE_BONUS * shaped
        # A shaped unit may be a little less similar when it shares the part's words.
        shaped_about = (shaped > 0) & (relevance >= MIN_SIMILARITY)
        if kind in _SHAPED_TYPES and shaped_about.any():
            scores = np.where(shaped_about, scores, -np.inf)
        else:
            scores = np.where(about, scores, -np.inf)
        ranked = np.argsort(-scores, kind="stable")
        picks = [ranked[0]]
        if kind not in _SHAPED_TYPES:
            # "how ..." is rarely one sentence: a runner-up nearly as good joins it.
            picks += [i for i in ranked[1:HOW_TO_QUOTES] if scores[i] >= scores[ranked[0]] - 0.05]
        for index in picks:
            if units[index] not in chosen:
                chosen.append(units[index])
    # A sentence that leans on the one before it brings it along.
    with_context = []
    for unit in chosen:
        if not unit.is_list and _LEANS_BACK.match(unit.text):
            previous = [u for u in units if u.position == unit.position - 1]
            if previous and previous[0].passage is unit.passage and previous[0] not in chosen:
                with_context.append(previous[0])
        with_context.append(unit)
    return sorted(with_context, key=lambda unit: unit.position)


def _steps(units, relevance, shaped, about):
    """Indices of the units answering a "how do I" part: up to HOW_TO_QUOTES
    instructions (or lists of them) from the first-ranked page about the question,
    within HOW_TO_MARGIN of the best. Steps given as single sentences are led
    by that page's most relevant unit when it is clearly closer than any of
    them (the reason behind the steps: "Overwatering kills most houseplants
    in winter"); a list of steps stands alone. [] when that page gives no steps."""
    # The page retrieval ranked first among those about the question (units
    # come in passage order): a product that shares the question's words
    # ("dial", "espresso") must not outrank the how-to article.
    page = page_of(units[int(np.argmax(about))].passage)
    on_page = np.array([page_of(unit.passage) == page for unit in units])
    best = int(np.argmax(np.where(about & on_page, relevance, -np.inf)))
    steps = (shaped > 0) & on_page & (relevance >= STEP_SIMILARITY)
    if not steps.any():
        return []
    scores = np.where(steps, relevance, -np.inf)
    ranked = np.argsort(-scores, kind="stable")[:HOW_TO_QUOTES]
    picks = [int(i) for i in ranked if scores[i] >= scores[ranked[0]] - HOW_TO_MARGIN]
    if relevance[best] > scores[ranked[0]] + HOW_TO_MARGIN and not any(
        units[i].is_list for i in picks
    ):
        picks.insert(0, best)
    return picks


def render(chosen):
    """The answer text: lists as bullet points under their section, sentences
    as quotes, each with its source number."""
    if not chosen:
        return NOT_FOUND
    blocks = []
    seen = set()
    for unit in chosen:
        if unit.position in seen:
            continue
        seen.add(unit.position)
        number = unit.passage.number
        if unit.is_list:
            section = unit.passage.title.split(" — ")[-1]
            lines = "\n".join(f"- {item}" for item in unit.items)
            blocks.append(f"{section} [{number}]:\n{lines}")
        else:
            blocks.append(f"“{unit.text}” [{number}]")
    return "Here is what the site says:\n\n" + "\n\n".join(blocks)


def embedding_text(unit):
    """What a unit is compared by: a list with its section heading, which
    says what the items are ("Plants that tolerate the gloom")."""
    if unit.is_list:
        labels = ", ".join(item.split(":")[0] for item in unit.items)
        return f"{unit.passage.title.split(' — ')[-1]}: {labels}"
    return unit.text


def answer(passages, question, embed):
    """The extractive answer to `question` from `passages`; `embed(texts)`
    gives unit-length vectors."""
    units = units_of(passages)
    if not units or not question:
        return NOT_FOUND
    unit_vectors = embed([embedding_text(unit) for unit in units])
    return render(choose(question, units, unit_vectors, embed))
