"""Forms readers fill in: a comment or reply, an edit, a report."""

from django import forms
from django.conf import settings

from community.models import ReportReason


class CommentForm(forms.Form):
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form: the limit is a setting (the service checks it too).
        self.fields["body"] = forms.CharField(
            label="Your comment",
            max_length=settings.COMMUNITY_COMMENT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text="Plain text; links become clickable.",
        )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong with it?", choices=ReportReason.choices)
    details = forms.CharField(
        label="Anything moderators should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
