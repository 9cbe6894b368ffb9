"""`make run DJANGO_DEBUG=0` (the banner's way to see the site's own 404 and
500 pages) serves pages without a `collectstatic`: no manifest storage."""

import os
import subprocess
import sys

from tests.servers import ROOT

PRINT_STORAGE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'])"
)


def dev_settings(debug):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DJANGO_DEBUG=debug)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_STORAGE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_debug_off_in_make_run_uses_the_plain_static_storage():
    assert dev_settings("0") == [
        "False",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
    ]
    assert dev_settings("1")[0] == "True"
