"""Move the content types of the models that left the `chat` app to this one.

Renaming the rows in place keeps their ids, so everything that points at
them stays as it is: pages' content type, revisions, the reference index and
the permissions (and so every group that holds them).
"""

from django.db import migrations

OLD_LABEL = "chat"
NEW_LABEL = "rooms"
MODELS = ("room", "roommessage")


def relabel(from_label, to_label):
    def run(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        for model in MODELS:
            # On a fresh database neither row exists yet (post_migrate creates
            # them later); never create a duplicate of an existing row.
            if not content_types.filter(app_label=to_label, model=model).exists():
                content_types.filter(app_label=from_label, model=model).update(app_label=to_label)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("rooms", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(relabel(OLD_LABEL, NEW_LABEL), relabel(NEW_LABEL, OLD_LABEL)),
    ]
