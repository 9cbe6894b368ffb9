"""A session for anonymous readers before they use the assistant, so their
conversation can be kept (a WebSocket cannot set the session cookie)."""

from wagtail import hooks

SESSION_FLAG = "assistant"


@hooks.register("before_serve_page")
def ensure_session_for_assistant(page, request, serve_args, serve_kwargs):
    if (
        getattr(page.specific_class, "assistant_panel", False)
        and SESSION_FLAG not in request.session
    ):
        request.session[SESSION_FLAG] = True
