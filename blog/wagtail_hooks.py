"""Admin registrations for the blog: authors, categories and series."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from blog.models import Author, BlogCategory, Series


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]


class BlogCategoryViewSet(SnippetViewSet):
    model = BlogCategory
    icon = "folder-open-inverse"
    list_display = ["name", "slug"]


class SeriesViewSet(SnippetViewSet):
    model = Series
    icon = "list-ol"
    list_display = ["name", "slug"]


class BlogSnippetGroup(SnippetViewSetGroup):
    menu_label = "Blog"
    menu_icon = "doc-full-inverse"
    menu_order = 200
    items = (AuthorViewSet, BlogCategoryViewSet, SeriesViewSet)


register_snippet(BlogSnippetGroup)
