"""Offline tags an editor would keep: noun-phrase candidates without dangling
function words, one form per variant, no dates, number phrases or generic
words; and weak tags held back from readers until an editor accepts them."""

import re

import pytest

from ai import tagging
from ai.models import AITag
from blog.demo import body_blocks, load
from tests.factories import BlogIndexPageFactory, PostPageFactory, publish, save_ai_tag_status

MONTHS = {"january february march april may june july august september october november december"}
MONTHS = set(next(iter(MONTHS)).split())
FUNCTION_WORDS = {"around", "across", "along", "behind", "the", "with", "into", "than", "about"}


def demo_post_text(slug):
    entry = next(post for post in load("posts.json") if post["slug"] == slug)
    parts = [entry["intro"]]
    for block in entry["body"]:
        parts.extend(block.get("items") or [block.get("text", "")])
    return entry["title"], "\n\n".join(part for part in parts if part)


def test_candidates_have_no_dangling_function_words_dates_or_number_phrases():
    text = (
        "Wrap the fabric around the darning mushroom. The fabric around the hole is thin. "
        "Eleven routes ran by 1900; eleven routes closed in August. In August the meteors peak. "
        "Pour-over coffee needs a pour over kettle. Pour-over kettles pour slowly."
    )
    candidates = tagging.candidate_phrases(text)
    assert "darning mushroom" in candidates or "darning" in candidates
    for phrase in candidates:
        words = re.split(r"[ \-]", phrase)
        assert not set(words) & FUNCTION_WORDS, phrase
        assert not set(words) & MONTHS, phrase
        assert "eleven" not in words, phrase
    keys = [tagging.variant_key(phrase) for phrase in candidates]
    assert len(keys) == len(set(keys)), candidates
    assert tagging.variant_key("pour-over") == tagging.variant_key("pour over kettles")[:9]


@pytest.mark.parametrize(
    ("pair"),
    [("pour-over", "pour over"), ("stitch", "stitches"), ("berry", "berries"), ("tram", "trams")],
)
def test_hyphen_space_and_plural_variants_share_a_key(pair):
    first, second = pair
    assert tagging.variant_key(first) == tagging.variant_key(second)


@pytest.mark.parametrize(
    ("slug", "expected", "banned"),
    [
        (
            "mending-knitwear-with-visible-darning",
            {"darning", "darning mushroom", "knit", "running stitches", "yarn"},
            {"fabric around"},
        ),
        (
            "history-of-the-city-tram-network",
            {"tram network", "trams", "rails", "tram"},
            {"eleven routes"},
        ),
        (
            "watching-the-perseid-meteor-shower",
            {"meteors", "perseids", "comet", "meteor"},
            {"august", "moon"},
        ),
        (
            "building-a-raised-garden-bed",
            {"raised bed", "garden", "soil"},
            {"metres", "height", "august"},
        ),
    ],
)
def test_offline_tags_for_demo_posts_are_topics(slug, expected, banned):
    title, text = demo_post_text(slug)
    tags = tagging.keyphrase_tags(title, text)
    assert tags and set(tags) & expected, tags
    assert not set(tags) & banned, tags
    assert not {word for tag in tags for word in tag.split()} & MONTHS, tags
    keys = [tagging.variant_key(tag) for tag in tags]
    assert len(keys) == len(set(keys)), tags


def test_pour_over_variants_give_one_tag():
    text = (
        "A pour-over kettle with a gooseneck spout. Pour over coffee rewards a slow, even pour. "
        "The pour-over method needs hot water at the right temperature. Our pour over kettles "
        "hold a litre. Pour-over brewing takes four minutes."
    )
    tags = tagging.keyphrase_tags("Gooseneck pour-over kettle", text, count=7)
    pour_over = [tag for tag in tags if tagging.variant_key(tag).startswith("pour over")]
    assert len(pour_over) <= 1, tags
    assert tags


def test_offline_tags_carry_their_relevance():
    title, text = demo_post_text("keeping-a-sourdough-starter-healthy")
    scored = tagging.scored_keyphrase_tags(title, text)
    assert scored[0][0] == "sourdough"
    assert all(0.25 <= score <= 1 for _, score in scored)


@pytest.mark.django_db
def test_readers_see_confident_and_accepted_tags_editors_see_all(client, settings):
    settings.AI_TAG_READER_CONFIDENCE = 0.35
    blog = BlogIndexPageFactory(slug="blog")
    post = publish(PostPageFactory(parent=blog, title="Ferry timetables"))
    tagging.store_suggestions(
        post,
        ["harbour", "ferries", "drift"],
        AITag.Source.KEYPHRASE,
        scores={"harbour": 0.52, "ferries": 0.41, "drift": 0.27},
    )
    assert AITag.objects.filter(page=post).count() == 3  # all three await the editor
    html = client.get(post.url).content.decode()
    assert 'rel="tag">harbour</a>' in html and 'rel="tag">ferries</a>' in html
    assert "drift" not in html
    save_ai_tag_status(AITag.objects.filter(tag__name="drift"), AITag.Status.ACCEPTED)
    html = client.get(post.url).content.decode()
    assert 'rel="tag">drift</a>' in html


@pytest.mark.django_db
def test_ai_tags_can_require_an_editors_acceptance(client, settings):
    settings.AI_TAGS_NEED_ACCEPTANCE = True
    blog = BlogIndexPageFactory(slug="blog")
    post = publish(PostPageFactory(parent=blog, title="Ferry timetables"))
    tagging.store_suggestions(
        post,
        ["harbour", "ferries"],
        AITag.Source.KEYPHRASE,
        scores={"harbour": 0.9, "ferries": 0.9},
    )
    html = client.get(post.url).content.decode()
    assert "harbour" not in html and "ferries" not in html
    save_ai_tag_status(AITag.objects.filter(tag__name="harbour"), AITag.Status.ACCEPTED)
    html = client.get(post.url).content.decode()
    assert 'rel="tag">harbour</a>' in html and "ferries" not in html


@pytest.mark.django_db
def test_tag_live_revision_stores_offline_relevance_as_score():
    entry = next(
        post for post in load("posts.json") if post["slug"] == "urban-beekeeping-on-rooftops"
    )
    blog = BlogIndexPageFactory()
    post = publish(
        PostPageFactory(
            parent=blog, title=entry["title"], intro=entry["intro"], body=body_blocks(entry["body"])
        )
    )
    result = tagging.tag_live_revision(post.pk)
    assert result.source == AITag.Source.KEYPHRASE and result.created
    scores = dict(AITag.objects.filter(page=post).values_list("tag__name", "score"))
    assert set(scores) == set(result.created)
    assert all(0.25 <= score < 1 for score in scores.values()), scores


@pytest.mark.django_db
def test_a_site_can_require_an_editors_acceptance_for_its_own_pages_only(client):
    from wagtail.models import Page, Site

    from ai.models import AITagSettings
    from blog.models import BlogIndexPage

    home_site = Site.objects.get(is_default_site=True)
    ours = publish(PostPageFactory(parent=BlogIndexPageFactory(slug="blog"), title="Ferries"))
    other_root = Page.get_first_root_node().add_child(
        instance=BlogIndexPage(title="Other blog", slug="other-blog")
    )
    Site.objects.create(hostname="other.example", port=80, root_page=other_root)
    theirs = publish(PostPageFactory(parent=other_root, title="Ferries elsewhere"))
    for post in (ours, theirs):
        tagging.store_suggestions(
            post, ["harbour"], AITag.Source.KEYPHRASE, scores={"harbour": 0.9}
        )
    assert 'rel="tag">harbour</a>' in client.get(ours.url).content.decode()

    site_settings = AITagSettings.for_site(home_site)
    site_settings.tags_need_acceptance = True
    site_settings.save()

    assert "harbour" not in client.get(ours.url).content.decode()
    source = tagging.AITagSource()
    assert [tag.name for tag in source.tags_for(ours)] == []
    assert [tag.name for tag in source.tags_for(theirs)] == ["harbour"]
    save_ai_tag_status(AITag.objects.filter(page=ours), AITag.Status.ACCEPTED)
    assert 'rel="tag">harbour</a>' in client.get(ours.url).content.decode()
