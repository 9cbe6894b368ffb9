"""docker-compose.yml cannot run here (no Docker engine), so it is checked by
parsing: every service is present and healthy-checked, and every command
points at code that exists in this repository."""

import ipaddress
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
    assert {
        "proxy",
        "migrate",
        "web",
        "ws",
        "worker",
        "beat",
        "postgres",
        "redis",
        "minio",
        "createbuckets",
    } <= set(SERVICES)


@pytest.mark.parametrize("name", ["web", "ws", "worker", "beat", "postgres", "redis", "minio"])
def test_long_running_services_have_healthchecks(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_postgres_image_ships_pgvector():
    assert SERVICES["postgres"]["image"].startswith("pgvector/pgvector:pg")


def test_redis_persists_with_append_only_file():
    assert "--appendonly yes" in SERVICES["redis"]["command"]


def served_application(name):
    words = command_words(SERVICES[name])
    target = next(word for word in words if ":" in word and "." in word)
    module_name, attribute = target.split(":")
    return words, getattr(import_module(module_name), attribute)


def test_web_serves_http_with_gunicorn_from_its_config_file():
    words, application = served_application("web")
    assert words[0] == "gunicorn" and words[words.index("-c") + 1] == "deploy/gunicorn.conf.py"
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()
    assert callable(application)
    environment = SERVICES["web"]["environment"]
    # One pooled connection per thread.
    assert environment["DATABASE_POOL_MAX_SIZE"] == environment["WEB_THREADS"]


def test_ws_serves_the_asgi_application_with_daphne():
    words, application = served_application("ws")
    assert words[0] == "daphne"
    assert callable(application)


def test_migrations_run_once_before_anything_serves():
    assert command_words(SERVICES["migrate"])[:3] == ["python", "manage.py", "migrate"]
    for name in ("web", "ws", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


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
    for name in ("migrate", "web", "ws", "worker", "beat"):
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


# The client address: a proxy in front, and Daphne trusting only it --------------

APP_SERVICES = [name for name, service in SERVICES.items() if service.get("build") == "."]
NGINX_CONF = (ROOT / "deploy" / "nginx.conf").read_text()


def test_no_app_service_lets_clients_choose_their_address():
    assert APP_SERVICES
    for name in APP_SERVICES:
        assert "--proxy-headers" not in command_words(SERVICES[name]), name
    assert "--proxy-headers" not in (ROOT / "Dockerfile").read_text().split("CMD", 1)[1]


def test_only_the_proxy_is_published():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    public = {
        name
        for name in published
        for port in SERVICES[name]["ports"]
        if not str(port).startswith("127.0.0.1:")
    }
    assert public == {"proxy"}
    assert "ports" not in SERVICES["web"] and "ports" not in SERVICES["ws"]


def test_daphne_trusts_exactly_the_proxys_fixed_address():
    proxy_address = SERVICES["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    for name in ("web", "ws"):
        assert SERVICES[name]["environment"]["TRUSTED_PROXIES"] == proxy_address


def test_the_proxy_forwards_address_scheme_and_websocket_upgrades():
    volume = SERVICES["proxy"]["volumes"][0]
    assert volume.startswith("./deploy/nginx.conf:")
    assert SERVICES["proxy"]["image"].startswith("nginx:")
    assert SERVICES["proxy"]["healthcheck"]["test"]
    # The edge proxy overwrites, never extends, what the client sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX_CONF
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX_CONF
    assert "proxy_set_header Upgrade $http_upgrade;" in NGINX_CONF
    assert "proxy_set_header Connection $connection_upgrade;" in NGINX_CONF
    assert "proxy_set_header Host $http_host;" in NGINX_CONF
    assert "http://web:8000" in NGINX_CONF and "http://ws:8001" in NGINX_CONF
    assert "location /ws/ {" in NGINX_CONF


def test_daphne_lets_consumers_answer_oversized_frames():
    words = command_words(SERVICES["ws"])
    size = int(words[words.index("--websocket-max-message-size") + 1])
    from django.conf import settings

    assert size > settings.WEBSOCKET_MAX_FRAME_BYTES
