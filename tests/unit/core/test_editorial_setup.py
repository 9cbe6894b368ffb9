"""The editorial groups are set up by every migrate, whatever app comes last."""

from django.apps import apps

from core import editorial


def test_the_set_up_runs_after_the_last_app_with_models_even_if_an_app_without_follows(
    monkeypatch,
):
    # In production settings the API (no models) is installed last, and
    # post_migrate never fires for an app without models: the set-up must
    # not wait for it, or no editorial group gets its permissions.
    api = apps.get_app_config("api")
    assert api.models_module is None
    ordered = [config for config in apps.get_app_configs() if config is not api] + [api]
    monkeypatch.setattr(editorial.apps, "get_app_configs", lambda: ordered)
    ran = []
    monkeypatch.setattr(editorial, "ensure_groups", lambda: ran.append("groups"))
    monkeypatch.setattr(editorial, "ensure_workflow", lambda: ran.append("workflow"))
    monkeypatch.setattr(editorial, "configure_all_sections", lambda: ran.append("sections"))
    last_with_models = [config for config in ordered if config.models_module is not None][-1]

    editorial.setup_after_migrate(sender=ordered[0], app_config=ordered[0])
    assert ran == []
    editorial.setup_after_migrate(sender=last_with_models, app_config=last_with_models)
    assert ran == ["groups", "workflow", "sections"]
