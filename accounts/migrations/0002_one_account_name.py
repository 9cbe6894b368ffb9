"""Existing accounts take the one-name rule (accounts/names.py): a profile's
display name is also the account's first and last name, so the Wagtail admin
shows what the site shows."""

from django.conf import settings
from django.db import migrations


def one_name_per_account(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    Profile = apps.get_model("accounts", "Profile")
    for profile in Profile.objects.exclude(display_name="").select_related("user"):
        name = " ".join(profile.display_name.split())
        user = profile.user
        if f"{user.first_name} {user.last_name}".strip() == name:
            continue
        first, _, last = name.partition(" ")
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(one_name_per_account, migrations.RunPython.noop)]
