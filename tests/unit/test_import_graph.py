"""The project's import graph: no circles between modules, and the layers
point one way (plumbing and AI know nothing of the content apps)."""

from tests.import_graph import circles, import_graph

CONTENT_APPS = {"home", "blog", "shop", "community", "chat", "notifications", "accounts", "search"}
# Layer -> the top-level project packages it must never import.
FORBIDDEN = {
    "core": CONTENT_APPS | {"ai"},
    "ai": CONTENT_APPS,
}


def test_no_import_circles_between_project_modules():
    assert circles(import_graph()) == []


def test_plumbing_and_ai_never_import_the_content_apps():
    wrong = sorted(
        (module, target)
        for module, targets in import_graph().items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN.get(module.split(".")[0], ())
    )
    assert wrong == []


def test_the_graph_sees_real_imports():
    # A guard against a scanner that finds nothing and so passes everything.
    graph = import_graph()
    assert "core.capabilities" in graph["blog.models"]
    assert "ai.retrieval" in graph["search.hybrid"]
