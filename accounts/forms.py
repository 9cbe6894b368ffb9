"""Forms for sign-up details, the profile editor and account deletion."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from accounts.avatars import MAX_UPLOAD_BYTES, avatar_thumbnail
from accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH
from accounts.profiles import profile_for


def clean_plain_text(value, multiline=False):
    """Text with control characters removed (newlines kept when multiline)."""
    allowed = {"\n"} if multiline else set()
    value = value.replace("\r\n", "\n")
    return "".join(
        char for char in value if char in allowed or unicodedata.category(char) != "Cc"
    ).strip()


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=DISPLAY_NAME_MAX_LENGTH,
            help_text="Shown next to your comments and on your public profile.",
            **kwargs,
        )

    def clean(self, value):
        return super().clean(clean_plain_text(value or ""))


class SignupProfileForm(forms.Form):
    """Extra sign-up field (allauth's ACCOUNT_SIGNUP_FORM_CLASS): the public name."""

    display_name = DisplayNameField(
        label="Display name",
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "placeholder": "Rita Reader"}),
    )

    def signup(self, request, user):
        """Called by allauth once the user exists: start their profile."""
        profile = profile_for(user)
        profile.display_name = self.cleaned_data["display_name"]
        profile.save(update_fields=["display_name", "updated_at"])


class ProfileForm(forms.Form):
    """The reader's own profile: name, bio and avatar (replace or remove)."""

    display_name = DisplayNameField(label="Display name", required=False)
    bio = forms.CharField(
        label="About you",
        required=False,
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Plain text, up to {BIO_MAX_LENGTH} characters.",
    )
    avatar = forms.FileField(
        label="Picture",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=(
            f"JPEG, PNG or WebP, up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
            "it is cropped to a square."
        ),
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)

    def clean_bio(self):
        return clean_plain_text(self.cleaned_data["bio"], multiline=True)

    def clean_avatar(self):
        """The new avatar as its stored thumbnail (None for no upload): the
        picture is decoded and re-encoded here, so any failure is a form error."""
        upload = self.cleaned_data.get("avatar")
        if upload:
            return avatar_thumbnail(upload)
        return None


class DeleteAccountForm(forms.Form):
    """Deleting an account needs the current password and an explicit tick."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account and personal data are deleted for good.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your current password.", code="wrong_password")
        return password
