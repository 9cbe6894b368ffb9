"""Demo content for the blog: authors, categories, series, 30 posts and 10
articles from blog/demo_data/*.json, each taken through editorial review."""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from blog.models import (
    ArticleIndexPage,
    ArticlePage,
    Author,
    BlogCategory,
    BlogIndexPage,
    PostPage,
    RelatedArticle,
    Series,
)
from home.demo import demo_image, publish_through_review
from home.models import HomePage

DATA_DIR = Path(__file__).parent / "demo_data"


def load(name):
    return json.loads((DATA_DIR / name).read_text())


def body_blocks(blocks):
    """StreamField data from the demo JSON's simple block list."""
    stream = []
    for block in blocks:
        kind = block["type"]
        if kind == "heading":
            stream.append(("heading", {"text": block["text"], "level": "h2", "anchor": ""}))
        elif kind == "paragraph":
            stream.append(("paragraph", f"<p>{escape(block['text'])}</p>"))
        elif kind == "list":
            items = "".join(f"<li>{escape(item)}</li>" for item in block["items"])
            stream.append(("paragraph", f"<ul>{items}</ul>"))
        elif kind == "quote":
            stream.append(
                ("quote", {"quote": block["text"], "attribution": block.get("attribution", "")})
            )
        elif kind == "code":
            stream.append(("code", {"language": block["language"], "code": block["code"]}))
        else:
            raise ValueError(f"unknown demo block type {kind!r}")
    return stream


def aware(day):
    """Nine in the morning, local time, on the given ISO date."""
    date = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(9, 0)))


def seed(stdout):
    """Create the blog's demo content once; returns a summary of what was new."""
    home = HomePage.objects.first()
    # Keyed on the demo section itself: other blogs (tests, real ones) do not count.
    if home is None or BlogIndexPage.objects.child_of(home).filter(slug="blog").exists():
        return ""
    User = get_user_model()
    users = {user.username: user for user in User.objects.filter(username__in=["author", "editor"])}
    author_user, editor_user = users["author"], users["editor"]

    authors = {}
    for entry in load("authors.json"):
        authors[entry["slug"]], _ = Author.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "bio": entry["bio"],
                "user": users.get(entry["user"]) if entry.get("user") else None,
                "photo": demo_image(f"Portrait of {entry['name']}", f"author-{entry['slug']}"),
            },
        )

    blog = home.add_child(
        instance=BlogIndexPage(
            title="Blog",
            slug="blog",
            intro="Short posts from the Pressroom desk: field notes, craft, food and city life.",
            show_in_menus=True,
        )
    )
    publish_through_review(blog, editor_user, editor_user)
    posts = load("posts.json")
    categories = {}
    for entry in sorted(posts, key=lambda item: item["date"]):
        name = entry["category"]
        if name not in categories:
            categories[name], _ = BlogCategory.objects.get_or_create(
                slug=slugify(name), defaults={"name": name}
            )
        post = PostPage(
            title=entry["title"],
            slug=entry["slug"],
            intro=entry["intro"],
            date=datetime.date.fromisoformat(entry["date"]),
            category=categories[name],
            comments_enabled=entry.get("comments_enabled", True),
            hero_image=demo_image(entry["title"], f"post-{entry['slug']}", size=(1600, 900)),
            hero_alt_text="",
            body=body_blocks(entry["body"]),
            owner=author_user,
        )
        blog.add_child(instance=post)
        post.authors.set([authors[entry["author"]]])
        post.tags.set(entry["tags"])
        publish_through_review(post, author_user, editor_user, aware(entry["date"]))

    articles_index = home.add_child(
        instance=ArticleIndexPage(
            title="Articles",
            slug="articles",
            intro="Long reads on how things work: cities, food and the people behind them.",
            show_in_menus=True,
        )
    )
    publish_through_review(articles_index, editor_user, editor_user)
    articles = load("articles.json")
    created = {}
    for entry in sorted(articles, key=lambda item: item["date"]):
        series = None
        if entry.get("series"):
            series, _ = Series.objects.get_or_create(
                slug=slugify(entry["series"]), defaults={"name": entry["series"]}
            )
        article = ArticlePage(
            title=entry["title"],
            slug=entry["slug"],
            standfirst=entry["standfirst"],
            date=datetime.date.fromisoformat(entry["date"]),
            series=series,
            hero_image=demo_image(entry["title"], f"article-{entry['slug']}", size=(1600, 900)),
            body=body_blocks(entry["body"]),
            owner=author_user,
        )
        articles_index.add_child(instance=article)
        created[entry["slug"]] = (article, entry)
    # Related articles can only point at pages that exist, so they come second.
    for article, entry in created.values():
        for order, slug in enumerate(entry.get("related", [])):
            RelatedArticle(article=article, page=created[slug][0], sort_order=order).save()
        # Credits and tags are cluster relations: they live on the instance
        # until it is saved, so they go on the one that is published.
        article = ArticlePage.objects.get(pk=article.pk)
        article.authors.set([authors[entry["author"]]])
        article.tags.set(entry["tags"])
        publish_through_review(article, author_user, editor_user, aware(entry["date"]))
    return f"{len(authors)} authors, {len(posts)} posts, {len(articles)} articles"
