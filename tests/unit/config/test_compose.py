"""docker-compose.yml cannot run here (no Docker engine), so it is checked by
parsing: every service is present and healthy-checked, and every command
points at code that exists in this repository."""

import re
import shlex
from importlib import import_module
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

from tests.servers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command_words(service):
    command = service.get("command") or service.get("entrypoint") or ""
    if isinstance(command, list):
        command = " ".join(command)
    # `sh -c "a && b"`: look inside the quoted script too.
    words = shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2].replace("&&", " && "))
    return words


def test_expected_services_exist():
    assert {"web", "worker", "beat", "postgres", "redis", "minio", "createbuckets"} <= set(SERVICES)


@pytest.mark.parametrize("name", ["web", "worker", "beat", "postgres", "redis", "minio"])
def test_long_running_services_have_healthchecks(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_postgres_image_ships_pgvector():
    assert SERVICES["postgres"]["image"].startswith("pgvector/pgvector:pg")


def test_redis_persists_with_append_only_file():
    assert "--appendonly yes" in SERVICES["redis"]["command"]


def test_web_serves_the_asgi_application_with_daphne():
    words = command_words(SERVICES["web"])
    assert "daphne" in words
    target = next(word for word in words if ":" in word and "." in word)
    module_name, attribute = target.split(":")
    module = import_module(module_name)
    assert hasattr(module, attribute)


def test_manage_py_commands_exist():
    available = get_commands()
    for name, service in SERVICES.items():
        words = command_words(service)
        for index, word in enumerate(words):
            if word == "manage.py":
                assert words[index + 1] in available, f"{name}: {words[index + 1]}"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_use_the_project_app(name):
    words = command_words(SERVICES[name])
    assert words[:3] == ["celery", "-A", "config"]
    assert words[3] == ("worker" if name == "worker" else "beat")
    assert import_module("config").celery_app.main == "pressroom"


def test_app_services_build_from_the_dockerfile():
    assert (ROOT / "Dockerfile").exists()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile
    assert "requirements.txt" in dockerfile
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["build"] == "."
        assert SERVICES[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "config.settings.production"
        )


def test_env_example_defines_every_interpolated_variable():
    text = (ROOT / "docker-compose.yml").read_text()
    # ${VAR} is interpolated by compose; $${VAR} is escaped for the container shell.
    needed = set(re.findall(r"(?<!\$)\$\{(\w+)\}", text))
    example = Path(ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^(\w+)=", example, flags=re.M))
    assert needed <= defined, needed - defined
    assert "DJANGO_SECRET_KEY" in defined
