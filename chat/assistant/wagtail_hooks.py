"""The assistant keeps an anonymous reader's conversation in their session.

A WebSocket cannot set the session cookie, and a page view must not (a page
that sets a cookie cannot come from the anonymous page cache, core.page_cache),
so the panel's script asks `chat.assistant.views.assistant_session` for one
before it opens the socket.
"""

SESSION_FLAG = "assistant"
