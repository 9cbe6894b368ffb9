"""Signals the AI pipeline sends, for other apps (notifications) to hear.

tags_suggested(sender=AITag, page, tags, source)
    Sent after commit when new AI tags were suggested for a page. `page` is
    the specific page, `tags` the list of new tag names, `source` "llm" or
    "keyphrase". The notifications app tells the page's authors.
"""

from django.dispatch import Signal

tags_suggested = Signal()
