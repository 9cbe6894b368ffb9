"""The scrape example and the dashboard, checked by parsing: the optional
compose profile scrapes every process that serves metrics with the token,
and every series the Grafana dashboard reads is one Pressroom exports."""

import json
import re

import yaml
from prometheus_client import Counter, Gauge, Histogram

from observability import metrics
from tests.servers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PROMETHEUS = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
DASHBOARD = json.loads((ROOT / "deploy/grafana/dashboards/pressroom.json").read_text())
# Read at scrape time by observability.backlog.BacklogCollector.
BACKLOG_GAUGES = {
    "pressroom_celery_queue_length",
    "pressroom_celery_parked_tasks",
    "pressroom_ai_index_backlog",
}


def exported_series():
    """Every sample name the metrics module's series expose."""
    names = set(BACKLOG_GAUGES)
    for metric in vars(metrics).values():
        if isinstance(metric, Counter):
            names.add(f"{metric._name}_total")
        elif isinstance(metric, Histogram):
            names.update(f"{metric._name}_{suffix}" for suffix in ("bucket", "count", "sum"))
        elif isinstance(metric, Gauge):
            names.add(metric._name)
    return names


def dashboard_expressions():
    for panel in DASHBOARD["panels"]:
        for target in panel.get("targets", ()):
            yield panel["title"], target["expr"]


def test_prometheus_and_grafana_only_start_with_the_observability_profile():
    for name in ("prometheus", "grafana"):
        assert SERVICES[name]["profiles"] == ["observability"], name
        # Published on this machine only.
        assert all(str(port).startswith("127.0.0.1:") for port in SERVICES[name]["ports"])
    unprofiled = [name for name, service in SERVICES.items() if "profiles" not in service]
    assert {"web", "ws", "worker", "proxy"} <= set(unprofiled)


def test_prometheus_scrapes_every_metrics_endpoint_with_the_token():
    entrypoint = " ".join(SERVICES["prometheus"]["entrypoint"])
    assert 'printf %s "$$METRICS_TOKEN" > /tmp/metrics-token' in entrypoint
    assert SERVICES["prometheus"]["environment"]["METRICS_TOKEN"] == "${METRICS_TOKEN}"
    volume = SERVICES["prometheus"]["volumes"][0]
    assert volume.startswith("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml")
    jobs = {job["job_name"]: job for job in PROMETHEUS["scrape_configs"]}
    worker_port = SERVICES["worker"]["environment"]["WORKER_METRICS_PORT"]
    expected = {
        "web": "web:8000",
        "ws": "ws:8001",
        "worker": f"worker:{worker_port}",
        "llm-worker": f"llm-worker:{worker_port}",
    }
    assert {name: job["static_configs"][0]["targets"] for name, job in jobs.items()} == {
        name: [target] for name, target in expected.items()
    }
    for job in jobs.values():
        assert job["authorization"] == {"type": "Bearer", "credentials_file": "/tmp/metrics-token"}
        assert job.get("metrics_path", "/metrics") == "/metrics"
    for name in ("worker", "llm-worker"):
        assert SERVICES[name]["environment"]["WORKER_METRICS_PORT"] == worker_port
        assert worker_port in SERVICES[name]["expose"]


def test_multiprocess_services_have_their_own_metrics_directory():
    for name in ("web", "worker", "llm-worker"):
        directory = SERVICES[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        assert directory in SERVICES[name]["tmpfs"], name
    gunicorn_conf = (ROOT / "deploy/gunicorn.conf.py").read_text()
    assert "def child_exit(server, worker):" in gunicorn_conf
    assert "mark_process_dead(worker.pid)" in gunicorn_conf


def test_grafana_is_provisioned_with_the_dashboard_and_datasource():
    volumes = SERVICES["grafana"]["volumes"]
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in volumes
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]
    assert (datasource["uid"], datasource["url"]) == ("prometheus", "http://prometheus:9090")
    provider = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/pressroom.yml").read_text()
    )["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_the_dashboard_reads_only_series_that_exist():
    exported = exported_series()
    used = set()
    for title, expression in dashboard_expressions():
        names = set(re.findall(r"\bpressroom_[a-z_]+", expression))
        assert names, f"{title}: reads no Pressroom series"
        assert names <= exported, f"{title}: {names - exported}"
        used |= names
    # Every family is on the dashboard (histograms through their buckets).
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in exported}
    assert {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in used} == families
    for panel in DASHBOARD["panels"]:
        for target in panel.get("targets", ()):
            assert target["datasource"]["uid"] == "prometheus"
