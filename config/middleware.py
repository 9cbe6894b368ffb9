"""Project middleware."""

from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with a report-only policy for the Wagtail admin.

    Public pages get the strict, enforced CONTENT_SECURITY_POLICY. The admin
    relies on inline scripts and styles, so there the strict header is
    replaced by CONTENT_SECURITY_POLICY_ADMIN_REPORT_ONLY, sent report-only.
    """

    def process_response(self, request, response):
        if request.path_info.startswith(settings.CSP_ADMIN_PATH_PREFIXES):
            response._csp_exempt = True
            response._csp_config_ro = settings.CONTENT_SECURITY_POLICY_ADMIN_REPORT_ONLY[
                "DIRECTIVES"
            ]
        return super().process_response(request, response)
