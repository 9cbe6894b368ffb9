"""`{% page_fragment %}`: the parts of a page that every reader sees alike,
rendered once per content version instead of on every view.

    {% load fragment_tags %}
    {% page_fragment "entry" page %}...{% endpage_fragment %}
    {% page_fragment "listing" page filters.tag sort.key items.number %}...{% endpage_fragment %}

The block is cached under the site-wide content version (core.content_cache),
which every publish, unpublish, move, privacy change, comment, like and stock
change bumps, so it is never staler than the change that would alter it.
The key also holds the page's live revision, so a request that loaded the
page just before a publish cannot store the old text under the new version,
and the host, because blocks may hold absolute URLs. Extra arguments vary
the key further (filters, sort order, page number).

It is for what does not depend on who is reading: bodies, headers, JSON-LD,
cards. Never put a CSRF token, a form bound to the reader, or the reader's
name inside one. Previews (including "view draft") are always rendered.
"""

import hashlib

from django import template
from django.core.exceptions import DisallowedHost

from core.content_cache import cached

register = template.Library()


class PageFragmentNode(template.Node):
    def __init__(self, nodelist, name, page, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.page = page
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        page = self.page.resolve(context)
        if request is None or page is None or not page.pk or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.nodelist.render(context)
        # Hashed: hosts and filter values are request input, not key material.
        vary = "\n".join([host, *(str(variable.resolve(context)) for variable in self.vary_on)])
        return cached(
            f"fragment:{self.name.resolve(context)}",
            lambda: self.nodelist.render(context),
            page.pk,
            getattr(page, "live_revision_id", None),
            hashlib.sha256(vary.encode()).hexdigest(),
        )


@register.tag("page_fragment")
def page_fragment(parser, token):
    """`{% page_fragment name page [vary_on ...] %}...{% endpage_fragment %}`."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a name, a page and vary-on values")
    nodelist = parser.parse(("endpage_fragment",))
    parser.delete_first_token()
    name, page, *vary_on = (parser.compile_filter(bit) for bit in bits[1:])
    return PageFragmentNode(nodelist, name, page, vary_on)
