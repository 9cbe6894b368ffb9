"""Form data the Wagtail page editor posts, for driving the admin in tests."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield


def post_form_data(title, slug, action=None, **overrides):
    """POST data for the PostPage editor; `action` is "submit", "publish" or None (save)."""
    data = {
        "title": title,
        "slug": slug,
        "intro": f"Introduction to {title}.",
        "hero_image": "",
        "hero_alt_text": "",
        "body": streamfield(
            [
                ("heading", {"text": "A first section", "level": "h2", "anchor": ""}),
                ("paragraph", rich_text(f"<p>{title} has a paragraph of body text.</p>")),
                ("quote", {"quote": "Words worth quoting.", "attribution": "Someone"}),
            ]
        ),
        "date": "2026-05-01",
        "category": "",
        "tags": "",
        "comments_enabled": "on",
        "seo_title": "",
        "search_description": "",
        "listing_title": "",
        "listing_summary": "",
        "social_image": "",
        "go_live_at": "",
        "expire_at": "",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    form = nested_form_data(data)
    if action:
        form[f"action-{action}"] = "1"
    return form
