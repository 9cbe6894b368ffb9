"""Admin views: editors accept or reject AI-suggested tags, and see (and
retry) what the AI index owes each page.

Deciding never creates a page revision: the decision lives on the AITag row.
A rejected tag is kept (hidden) so it is not suggested again for that page.
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, When
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from ai import jobs
from ai.models import AITag, IndexJob
from core.content_cache import bump_content_version

DECISIONS = {"accept": AITag.Status.ACCEPTED, "reject": AITag.Status.REJECTED}


def _editable_page(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def review_tags(request, page_id):
    """The AI tags of one page, each with accept and reject buttons."""
    page = _editable_page(request, page_id)
    ai_tags = AITag.objects.filter(page_id=page.pk).select_related("tag", "decided_by")
    return TemplateResponse(
        request, "ai/admin/review_tags.html", {"page": page, "ai_tags": ai_tags}
    )


@require_POST
def decide_tag(request, tag_id, decision):
    """Accept or reject one suggestion; answers the row (for scripts) or redirects."""
    if decision not in DECISIONS:
        raise PermissionDenied
    ai_tag = get_object_or_404(AITag.objects.select_related("tag"), pk=tag_id)
    _editable_page(request, ai_tag.page_id)
    ai_tag.status = DECISIONS[decision]
    ai_tag.decided_by = request.user
    ai_tag.decided_at = timezone.now()
    ai_tag.save(update_fields=["status", "decided_by", "decided_at"])
    bump_content_version()  # cached tag menus change with the decision
    if request.headers.get("X-Requested-With") == "fetch":
        return TemplateResponse(request, "ai/admin/ai_tag_row.html", {"ai_tag": ai_tag})
    return redirect("ai_review_tags", page_id=ai_tag.page_id)


# The AI index report ------------------------------------------------------------


class IndexJobFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=IndexJob.Status.choices, empty_label="Any status"
    )
    kind = django_filters.ChoiceFilter(
        label="Work", choices=IndexJob.Kind.choices, empty_label="Indexing and tags"
    )

    class Meta:
        model = IndexJob
        fields = ["status", "kind"]


class RetryColumn(Column):
    """A POST button that retries the job, for editors who may publish its page."""

    cell_template_name = "ai/admin/retry_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        allowed = (
            request is not None
            and instance.status != IndexJob.Status.DONE
            and instance.page.permissions_for_user(request.user).can_publish()
        )
        context["retry_url"] = reverse("ai_retry_job", args=(instance.pk,)) if allowed else ""
        context["csrf_token"] = get_token(request) if allowed else ""
        return context


def job_state(job):
    """Pending, running (a worker holds it), failed or done."""
    if job.status == IndexJob.Status.PENDING and job.is_running:
        return "Running"
    return job.get_status_display()


class AIIndexReportView(ReportView):
    """What the AI index owes each page: pending and failed work with its last
    error, and when each page was last indexed or tagged."""

    page_title = "AI index"
    header_icon = "resubmit"
    index_url_name = "ai_index_report"
    index_results_url_name = "ai_index_report_results"
    filterset_class = IndexJobFilterSet
    any_permission_required = ["change", "publish"]
    columns = [
        TitleColumn(
            "page",
            label="Page",
            accessor="page.title",
            url_name="wagtailadmin_pages:edit",
            id_accessor="page_id",
        ),
        Column("kind", label="Work", accessor="get_kind_display"),
        Column("state", label="Status", accessor=job_state),
        Column("attempts", label="Attempts"),
        Column("last_error", label="Last error"),
        Column("outcome", label="Outcome"),
        Column("chunks", label="Chunks"),
        DateColumn("requested_at", label="Requested"),
        DateColumn("finished_at", label="Last done"),
        RetryColumn("retry", label="", accessor="pk"),
    ]
    list_export = [
        "page.title",
        "page_id",
        "kind",
        "status",
        "attempts",
        "last_error",
        "outcome",
        "chunks",
        "requested_at",
        "finished_at",
    ]
    export_headings = {"page.title": "Page", "page_id": "Page id", "finished_at": "Last done"}

    @property
    def permission_policy(self):
        return PagePermissionPolicy()

    def get_filename(self):
        return "ai-index"

    def get_queryset(self):
        pages = PagePermissionPolicy().instances_user_has_any_permission_for(
            self.request.user, ["change", "publish"]
        )
        # Failed work first, then what is still owed, then what is done.
        urgency = Case(
            When(status=IndexJob.Status.FAILED, then=0),
            When(status=IndexJob.Status.PENDING, then=1),
            default=2,
        )
        return (
            IndexJob.objects.filter(page__in=pages.values("pk"))
            .select_related("page")
            .order_by(urgency, "-requested_at", "pk")
        )


@require_POST
def retry_job(request, job_id):
    """Send a job again now, with fresh attempts (editors who may publish the page)."""
    job = get_object_or_404(IndexJob.objects.select_related("page"), pk=job_id)
    if not job.page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    with transaction.atomic():
        jobs.retry(job)
    messages.success(request, f"'{job.page.title}': {job.get_kind_display().lower()} sent again.")
    return redirect("ai_index_report")
