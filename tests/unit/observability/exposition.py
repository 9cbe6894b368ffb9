"""Reading /metrics the way Prometheus does (prometheus_client's parser)."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-token-for-tests-0123456789"


def scrape(client, token=TOKEN):
    """The parsed exposition of /metrics: {sample name: [(labels, value)]}."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:200]
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples, name, **labels):
    """The sum of the samples called `name` whose labels include `labels` (0 if none)."""
    return sum(
        sample_value
        for sample_labels, sample_value in samples.get(name, [])
        if all(sample_labels.get(key) == wanted for key, wanted in labels.items())
    )
