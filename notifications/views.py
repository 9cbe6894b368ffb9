"""The reader's notifications: the bell's dropdown, the full list, marking
read, and preferences."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import services
from notifications.events import EVENTS
from notifications.models import Notification, NotificationPreference

PER_PAGE = 20
RECENT = 8


def _mine(request):
    return Notification.objects.for_user(request.user).in_bell()


@login_required
def notification_list(request):
    """All the reader's notifications, newest first, paginated."""
    page = Paginator(_mine(request), PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "notifications/list.html",
        {"notifications": page, "unread_count": services.unread_count(request.user)},
    )


@login_required
def recent(request):
    """The bell's dropdown: the latest few notifications (an HTML fragment)."""
    return TemplateResponse(
        request,
        "notifications/recent.html",
        {
            "notifications": _mine(request)[:RECENT],
            "unread_count": services.unread_count(request.user),
        },
    )


@login_required
def unread_count(request):
    """The unread count as JSON, for clients that reconnect."""
    return JsonResponse({"unread_count": services.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request, notification_id):
    """Mark one notification read; with ?open=1, go where it points."""
    notification = get_object_or_404(_mine(request), pk=notification_id)
    services.mark_read(request.user, [notification.pk])
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url or "notifications:list")
    if request.htmx:
        return recent(request)
    return redirect(_next(request))


@login_required
@require_POST
def mark_all_read(request):
    """Mark every notification of the reader read."""
    services.mark_read(request.user)
    if request.htmx:
        return recent(request)
    messages.success(request, "All notifications marked as read.")
    return redirect(_next(request))


def _next(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications:list"


class PreferencesForm(forms.Form):
    """Two switches per kind of notification: in the bell, and in the daily email."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = {row.verb: row for row in NotificationPreference.objects.filter(user=user)}
        self.user = user
        self.rows = []
        for verb, event in EVENTS.items():
            row = chosen.get(verb)
            on_site = forms.BooleanField(
                required=False, initial=row.on_site if row else event.on_site, label="On site"
            )
            by_email = forms.BooleanField(
                required=False,
                initial=row.by_email if row else event.by_email,
                label="Daily email",
            )
            self.fields[f"{verb}__on_site"] = on_site
            self.fields[f"{verb}__by_email"] = by_email
            self.rows.append((event.label, self[f"{verb}__on_site"], self[f"{verb}__by_email"]))

    def save(self):
        for verb in EVENTS:
            NotificationPreference.objects.update_or_create(
                user=self.user,
                verb=verb,
                defaults={
                    "on_site": self.cleaned_data[f"{verb}__on_site"],
                    "by_email": self.cleaned_data[f"{verb}__by_email"],
                },
            )


@login_required
def preferences(request):
    """Choose, per kind of event, the bell and the daily digest."""
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return TemplateResponse(request, "notifications/preferences.html", {"form": form})
