from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """A page type added the way the README's "Add a page type" describes,
    installed only under the test settings to prove the recipe works."""

    name = "tests.testapp"
    label = "testapp"
