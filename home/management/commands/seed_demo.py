"""Load Pressroom's demo content: users, pages, images. Idempotent and offline."""

import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule

from core.switches import bulk_load


def demo_modules():
    """Each project app's `demo` module, in INSTALLED_APPS order (home first)."""
    base_dir = str(settings.BASE_DIR)
    for app_config in apps.get_app_configs():
        if not app_config.path.startswith(base_dir) or "site-packages" in app_config.path:
            continue
        if module_has_submodule(app_config.module, "demo"):
            yield import_module(f"{app_config.name}.demo")


class Command(BaseCommand):
    help = (
        "Create demo users, pages and images. Safe to run repeatedly: existing "
        "demo content is left as it is. Never run it on a production site."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-ai",
            action="store_true",
            help="Record no indexing or tagging of the demo pages (tests do it themselves).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even under production settings (creates users with known passwords).",
        )

    def handle(self, *args, allow_production=False, without_ai=False, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not allow_production:
            raise CommandError(
                "seed_demo creates users with published passwords; refusing under "
                "production settings. Pass --allow-production if you really mean it."
            )
        started = time.monotonic()
        modules = list(demo_modules())
        # Walking pages through review would mail every editor; demo data is
        # not news, so seeding sends nothing.
        if without_ai:
            modules = [module for module in modules if module.__name__ != "ai.demo"]
        # The AI work is recorded in one batch at the end (ai.demo), not page
        # by page as each is published; the server does it in the background.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            bulk_load.suspended(),
        ):
            self.run_loaders(modules)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({elapsed:.1f} s)."))
        self.stdout.flush()

    def run_loaders(self, modules):
        # seed() runs app by app; finish() runs once everything exists, for
        # content that links across apps (the home page features the others).
        for step in ("seed", "finish"):
            for module in modules:
                loader = getattr(module, step, None)
                if loader is None:
                    continue
                with transaction.atomic():
                    created = loader(self.stdout)
                if created:
                    self.stdout.write(f"  {module.__name__.split('.')[0]}: {created}")
                    # Each line as it happens, in order with the server's
                    # output that follows when piped (`make run | tee`).
                    self.stdout.flush()
