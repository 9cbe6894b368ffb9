"""Reader profiles: what other readers see next to a comment and on /people/."""

from django.conf import settings
from django.db import models

BIO_MAX_LENGTH = 500
DISPLAY_NAME_MAX_LENGTH = 60


def avatar_upload_to(instance, filename):
    # Uploads never keep the reader's file name (it can carry personal data);
    # avatars.py names the processed file.
    return f"avatars/{filename}"


class Profile(models.Model):
    """One per user: display name, avatar thumbnail and a short plain-text bio."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    bio = models.TextField(max_length=BIO_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name shown publicly: the display name, else the username."""
        return self.display_name or self.user.get_username()
