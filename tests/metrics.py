"""Reading /metrics the way Prometheus does (prometheus_client's parser), for
the unit tests (Django's test client) and the integration tests (real servers)."""

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-token-for-tests-0123456789"


def parse(text):
    """{sample name: [(labels, value)]} of an exposition."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def scrape(client, token=TOKEN):
    """The parsed /metrics of the site under Django's test client."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:200]
    return parse(response.content.decode())


def scrape_url(url, token=TOKEN):
    """The parsed exposition of a real server's metrics endpoint."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return parse(response.read().decode())


def value(samples, name, **labels):
    """The sum of the samples called `name` whose labels include `labels` (0 if none)."""
    return sum(
        sample_value
        for sample_labels, sample_value in samples.get(name, [])
        if all(sample_labels.get(key) == wanted for key, wanted in labels.items())
    )
