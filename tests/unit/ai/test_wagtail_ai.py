"""wagtail-ai follows the LLM settings: installed with its editor tools when a
model is configured, absent (not broken) in the offline default. Checked in
fresh processes because INSTALLED_APPS is fixed at start-up."""

import json
import os
import subprocess
import sys

from tests.servers import ROOT

PROBE = """
import json
from django.conf import settings
from home.blocks import RichTextBlock
out = {
    "installed": "wagtail_ai" in settings.INSTALLED_APPS,
    "features": RichTextBlock().features,
    "image_form": getattr(settings, "WAGTAILIMAGES_IMAGE_FORM_BASE", ""),
}
if out["installed"]:
    from wagtail.rich_text import features as registry
    from wagtail_ai.agents.base import get_provider
    from wagtail_ai.ai import get_backend
    out["draftail_plugin"] = registry.get_editor_plugin("draftail", "ai") is not None
    out["provider"] = get_provider()
    out["backend_base"] = get_backend().config.api_base
print("PROBE" + json.dumps(out))
"""


def probe(**env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GROQ_", "OPENAI_", "LLM_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", **env_overrides})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE") :])


def test_offline_default_has_no_wagtail_ai():
    out = probe()
    assert out["installed"] is False
    assert "ai" not in out["features"]
    assert out["image_form"] == ""


def test_groq_key_brings_the_editor_tools_on_the_same_settings():
    out = probe(GROQ_API_KEY="gsk_test", LLM_MODEL="llama-test", GROQ_BASE_URL="http://127.0.0.1:9")
    assert out["installed"] is True
    assert "ai" in out["features"]
    assert out["draftail_plugin"] is True
    assert out["image_form"] == "wagtail_ai.forms.DescribeImageForm"
    assert out["provider"]["provider"] == "groq"
    assert out["provider"]["model"] == "llama-test"
    assert out["backend_base"] == "http://127.0.0.1:9/openai/v1"


def test_openai_compatible_server_by_base_url():
    out = probe(OPENAI_BASE_URL="http://127.0.0.1:11434/v1", LLM_MODEL="llama3.2")
    assert out["installed"] is True
    assert out["provider"] == {
        "provider": "openai",
        "model": "llama3.2",
        "api_key": "not-needed",
        "api_base": "http://127.0.0.1:11434/v1",
    }
