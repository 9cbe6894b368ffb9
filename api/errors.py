"""Errors as JSON with a code: `{"error": {"code", "message", ...}}`.

Every API failure has this one shape, whatever raised it (DRF, Wagtail's
API, our own views), so a client switches on `error.code`:
`bad_request` (400), `not_found` (404), `rate_limited` (429, with a
`Retry-After` header), and DRF's own codes for the rest (`parse_error`,
`method_not_allowed`, `not_acceptable`, `unsupported_media_type`,
`permission_denied`, `csrf_failed`, ...).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from wagtail.api.v2.utils import BadRequestError

# DRF's code for an exhausted throttle, renamed to the assistant protocol's.
RENAMED_CODES = {"throttled": "rate_limited"}


class BadRequest(exceptions.APIException):
    """A query the API cannot answer as asked (unknown field, bad value)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request is not valid."
    default_code = "bad_request"


def error_body(code, message, **extra):
    """The JSON body of an error."""
    return {"error": {"code": code, "message": message, **extra}}


def error_json_response(status_code, code, message, retry_after=None, **extra):
    """A plain Django JsonResponse carrying an error (for non-DRF responses)."""
    if retry_after is not None:
        extra["retry_after"] = retry_after
    response = JsonResponse(error_body(code, message, **extra), status=status_code)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def as_api_exception(exc):
    """The DRF APIException for Django's and Wagtail's own errors, or `exc`."""
    if isinstance(exc, BadRequestError):
        return BadRequest(str(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def error_code(exc):
    """The error's code: the detail's own code, else the exception's default."""
    detail = exc.detail
    code = getattr(detail, "code", None) if not isinstance(detail, (list, dict)) else None
    code = code or exc.default_code
    return RENAMED_CODES.get(code, code)


def error_message(exc):
    """A readable message: the detail, or a summary when DRF gave a structure."""
    if isinstance(exc.detail, (list, dict)):
        return "The request is not valid."
    return str(exc.detail)


def json_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every API error as `error_body`;
    None (a real 500) for anything that is not a client error."""
    exc = as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    extra = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
        extra["retry_after"] = int(wait)
    if isinstance(exc.detail, dict):
        extra["fields"] = exc.detail
    return Response(
        error_body(error_code(exc), error_message(exc), **extra),
        status=exc.status_code,
        headers=headers,
    )


def api_not_found(request, path=""):
    """Any /api/ URL that names no endpoint: a JSON 404, not the site's page."""
    return error_json_response(404, "not_found", "No API endpoint at this address.")


def server_error_response():
    """The JSON 500 an API view answers when something failed on our side."""
    return error_json_response(500, "internal_error", "Something went wrong; please try again.")
