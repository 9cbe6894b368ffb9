"""CSRF tokens for pages served from the anonymous page cache.

A cached page cannot carry a token (it would be every reader's), so forms an
anonymous reader may post render `{% deferred_csrf_token %}`: an empty field
that site.js fills from `csrf_token_view`, a small uncached request that also
sets the reader's CSRF cookie.

Without JavaScript the field stays empty and the post fails the CSRF check.
`csrf_failure` (CSRF_FAILURE_VIEW) then answers that one case with a page
asking the reader to confirm, holding the same fields and a real token: the
action never happens without the reader's click, and a post that did not
come from a deferred field gets Django's usual refusal.
"""

from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def csrf_token_view(request):
    """This reader's CSRF token as JSON (`{"token": ...}`), never cached."""
    return JsonResponse({"token": get_token(request)})


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a post from a deferred field left empty (no
    JavaScript) gets a confirmation form with a token; anything else gets
    Django's refusal."""
    if request.method != "POST" or request.POST.get("csrfmiddlewaretoken", None) != "":
        return django_csrf_failure(request, reason)
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    return TemplateResponse(
        request,
        "core/confirm_post.html",
        {"action": request.path, "fields": fields, "token": get_token(request)},
        status=403,
    )
