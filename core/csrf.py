"""CSRF tokens for pages served from the anonymous page cache.

A cached page cannot carry a token (it would be every reader's), so forms an
anonymous reader may post render `{% deferred_csrf_token %}`: an empty field
that site.js fills from `csrf_token_view`, a small uncached request that also
sets the reader's CSRF cookie.
"""

from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def csrf_token_view(request):
    """This reader's CSRF token as JSON (`{"token": ...}`), never cached."""
    return JsonResponse({"token": get_token(request)})
