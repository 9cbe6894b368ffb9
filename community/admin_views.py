"""The comment moderation queue in the Wagtail admin.

Comments (Community → Comments) lists what needs a moderator first: pending
comments and public comments with open reports. Each comment opens a
moderation page (the viewset's "edit" URL) with its context, its reports and
the decisions: approve, reject (or remove, once public) and ban the author.
Nobody edits a reader's words here. Bans (Community → Comment bans) can be
reviewed and lifted.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.profiles import public_name
from community import moderation
from community.models import Ban, Comment, CommentStatus

# Queue filter ----------------------------------------------------------------

QUEUE_CHOICES = [
    ("needs_action", "Needs a moderator"),
    ("pending", "Awaiting moderation"),
    ("reported", "Reported"),
    ("approved", "Approved"),
    ("rejected", "Rejected or removed"),
    ("deleted", "Deleted by the author"),
    ("all", "All comments"),
]


def filter_queue(queryset, value):
    """The comments of one queue (QUEUE_CHOICES key)."""
    live = queryset.filter(deleted_at__isnull=True)
    if value == "pending":
        return live.filter(status=CommentStatus.PENDING)
    if value == "reported":
        return live.filter(moderation.open_reports_q())
    if value == "approved":
        return live.filter(status=CommentStatus.APPROVED)
    if value == "rejected":
        return live.filter(status__in=[CommentStatus.REJECTED, CommentStatus.REMOVED])
    if value == "deleted":
        return queryset.filter(deleted_at__isnull=False)
    if value == "all":
        return queryset
    return queryset.filter(pk__in=moderation.needs_action().values("pk"))


class CommentQueueFilterSet(WagtailFilterSet):
    queue = django_filters.ChoiceFilter(
        label="Show",
        choices=QUEUE_CHOICES,
        empty_label=None,
        method=lambda queryset, name, value: filter_queue(queryset, value),
    )

    class Meta:
        model = Comment
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Without a choice the queue shows what needs a moderator.
        if data is not None and not data.get("queue"):
            data = data.copy()
            data["queue"] = "needs_action"
        super().__init__(data, *args, **kwargs)


# Listing ---------------------------------------------------------------------


class ModerationButtonsColumn(Column):
    """Approve and reject buttons (POST forms) for pending or reported comments."""

    cell_template_name = "community/admin/moderation_buttons_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["csrf_token"] = get_token(request) if request else ""
        context["moderate_url"] = reverse("community_comments:edit", args=[instance.pk])
        context["actionable"] = not instance.is_deleted and (
            instance.status == CommentStatus.PENDING
            or (instance.status == CommentStatus.APPROVED and instance.open_report_count)
        )
        context["next_url"] = request.get_full_path() if request else ""
        return context


class CommentQueueView(IndexView):
    filterset_class = CommentQueueFilterSet
    default_ordering = "-created_at"
    page_title = "Comments"

    def get_base_queryset(self):
        return (
            Comment.objects.select_related("author__profile", "page")
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True))
            )
            .order_by("-created_at", "-pk")
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "excerpt",
                label="Comment",
                accessor=lambda comment: str(comment),
                get_url=lambda comment: reverse("community_comments:edit", args=[comment.pk]),
            ),
            Column("author", label="Author", accessor=lambda comment: public_name(comment.author)),
            Column("page", label="On", accessor=lambda comment: comment.page.title),
            Column("status", label="Status", accessor="get_status_display"),
            Column("open_report_count", label="Open reports"),
            Column("created_at", label="Posted", sort_key="created_at"),
            ModerationButtonsColumn("actions", label="Decide"),
        ]


# Moderation page ---------------------------------------------------------------


class ModerationForm(forms.Form):
    note = forms.CharField(
        label="Note or reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the decision. Required for a ban.",
    )


DECISIONS = {
    "approve": (moderation.approve, "Approved."),
    "reject": (moderation.reject, "Rejected: the comment is hidden."),
    "ban": (moderation.ban_author, "The author is banned and the comment is hidden."),
}


class ModerateCommentView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """One comment with its context and reports, and the moderation decisions."""

    model = Comment
    permission_required = "change"
    template_name = "community/admin/moderate.html"
    header_icon = "comment"
    page_title = "Moderate comment"
    index_url_name = "community_comments:index"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            Comment.objects.select_related("author__profile", "page", "parent__author__profile"),
            pk=kwargs["pk"],
        )

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Comments"},
            {"url": "", "label": str(self.object)},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        comment = self.object
        context.update(
            {
                "comment": comment,
                "author_name": public_name(comment.author),
                "reports": comment.reports.select_related("reporter__profile").order_by(
                    "resolved_at", "created_at"
                ),
                "ban": Ban.objects.filter(user=comment.author).first() if comment.author else None,
                "form": form or ModerationForm(),
                "next_url": self._next_url(),
            }
        )
        return context

    def _next_url(self):
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        return (
            wanted
            if wanted.startswith(reverse(self.index_url_name))
            else reverse(self.index_url_name)
        )

    def post(self, request, *args, **kwargs):
        form = ModerationForm(request.POST)
        decision = DECISIONS.get(request.POST.get("decision"))
        if decision is None or not form.is_valid():
            messages.error(request, "Choose approve, reject or ban.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        action, success = decision
        try:
            action(self.object, request.user, form.cleaned_data["note"])
        except moderation.ModerationError as refusal:
            messages.error(request, str(refusal))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"{success} ({self.object})")
        return redirect(self._next_url())


# Permissions, menu and viewsets ----------------------------------------------------


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Nothing is created in the admin: comments come from readers and bans
    from moderation decisions (which record who, when and why)."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


def queue_label(request, base_label, detailed=True):
    """`base_label` with what waits for a moderator: "Comments (2 pending,
    1 reported)", or "Community (3)" when not `detailed`; counted once per
    request."""
    counts = getattr(request, "_community_queue_counts", None)
    if counts is None:
        counts = request._community_queue_counts = moderation.queue_counts()
    if not detailed:
        total = counts["pending"] + counts["reported"]
        return f"{base_label} ({total})" if total else base_label
    parts = []
    if counts["pending"]:
        parts.append(f"{counts['pending']} pending")
    if counts["reported"]:
        parts.append(f"{counts['reported']} reported")
    return f"{base_label} ({', '.join(parts)})" if parts else base_label


class QueueCountLabelMixin:
    """A menu item whose label carries the moderation queue counts."""

    detailed_count = True

    def render_component(self, request):
        component = super().render_component(request)
        component.label = queue_label(request, self.label, self.detailed_count)
        return component


class CommunityMenuItem(QueueCountLabelMixin, SubmenuMenuItem):
    detailed_count = False


class CommentViewSet(ModelViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    index_view_class = CommentQueueView
    copy_view_enabled = False
    # Reader content, not editorial references: keep it out of "Usage" counts.
    add_to_reference_index = False
    list_per_page = 30
    # Never used: the permission policy refuses "add" to everyone.
    form_fields = ["moderation_note"]

    @cached_property
    def menu_item_class(self):
        # Wagtail's item (shown to users with comment permissions) plus counts.
        return type("CommentQueueMenuItem", (QueueCountLabelMixin, super().menu_item_class), {})

    @property
    def edit_view(self):
        # The "edit" URL of a comment is its moderation page: moderators
        # decide on comments; they never rewrite them.
        return ModerateCommentView.as_view(index_url_name=self.get_url_name("index"))


class BanViewSet(ModelViewSet):
    model = Ban
    icon = "cross"
    menu_label = "Comment bans"
    list_display = ["user", "reason", "banned_by", "created_at"]
    search_fields = ["user__username", "reason"]
    copy_view_enabled = False
    add_to_reference_index = False
    inspect_view_enabled = True
    form_fields = ["reason"]


class CommunityViewSetGroup(ModelViewSetGroup):
    menu_label = "Community"
    menu_icon = "group"
    menu_order = 250
    items = (CommentViewSet("community_comments"), BanViewSet("community_bans"))

    def get_menu_item(self, order=None):
        return CommunityMenuItem(
            label=self.menu_label,
            menu=Menu(register_hook_name=self.submenu_hook, items=self.get_submenu_items()),
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )
