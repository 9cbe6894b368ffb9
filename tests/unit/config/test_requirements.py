"""The dependency files tell the truth: every third-party distribution the code
imports is a direct requirement (requirements.in, or requirements-dev.in for
tests and benchmarks), nothing is listed there that the project does not use,
and the pinned requirements*.txt that `make requirements` compiles cover the .in
files exactly."""

import ast
import importlib.metadata
import re
import sys
from functools import cache
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
SKIPPED_DIRS = {"var", "media", "node_modules", "__pycache__"}
# Code that only tests, benchmarks or tools run; its imports may come from
# requirements-dev.in.
DEV_AREAS = {"tests", "bench"}

# Direct requirements the code never imports, each with the reason it is there.
USED_WITHOUT_IMPORT = {
    "daphne": "the ASGI server `make run`, the Dockerfile and compose start",
    "gunicorn": "the HTTP server of the Dockerfile and compose (deploy/gunicorn.conf.py)",
    "psycopg": "Django's PostgreSQL driver when DATABASE_URL is postgres://",
    "torch": "sentence-transformers' backend, pinned exactly (no CUDA build)",
    "onnx": "torch.onnx.export writes the query encoder with it (ai.query_encoder)",
    "pytest-django": "pytest plug-in (pyproject: DJANGO_SETTINGS_MODULE)",
    "pytest-asyncio": "pytest plug-in (pyproject: asyncio_mode)",
    "ruff": "`make lint`",
    "pip-tools": "`make requirements`",
    "moto": "the S3 server the media tests start (`python -m moto.server`, tests/servers.py)",
}


def python_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        yield path


def local_names(path):
    """Top-level names that resolve to the project, not to an installed package:
    the repository's top-level entries, and modules beside a script (bench/
    puts its own folder on sys.path)."""
    names = {entry.stem for entry in ROOT.iterdir()}
    names |= {sibling.stem for sibling in path.parent.glob("*.py")}
    return names


def imported_top_levels(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@cache
def distributions_by_module():
    return importlib.metadata.packages_distributions()


def distributions_of(module):
    """Canonical names of the installed distributions providing `module`."""
    return {canonicalize_name(name) for name in distributions_by_module().get(module, ())}


@cache
def third_party_imports():
    """{top-level module: {(area, file)}}, area "runtime" or "dev"."""
    found = {}
    for path in python_files():
        relative = path.relative_to(ROOT)
        area = "dev" if relative.parts[0] in DEV_AREAS else "runtime"
        local = local_names(path)
        for module in imported_top_levels(path):
            if module in sys.stdlib_module_names or module in local:
                continue
            found.setdefault(module, set()).add((area, str(relative)))
    return found


# Strings in the settings that look like module names but are not plug-ins.
NOT_PLUGINS = {
    "llm": "the Celery queue of language-model calls (CELERY_TASK_QUEUES)",
}


def settings_plugins():
    """Third-party modules the settings name only by string (INSTALLED_APPS,
    MIDDLEWARE, backends): {top-level module: file}."""
    found = {}
    for path in sorted((ROOT / "config" / "settings").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if re.fullmatch(r"[A-Za-z_]\w*(\.\w+)*", node.value):
                module = node.value.split(".")[0]
                if module in NOT_PLUGINS or module in sys.stdlib_module_names:
                    continue
                if distributions_of(module):
                    found.setdefault(module, str(path.relative_to(ROOT)))
    return found


def read_in(name):
    """{canonical name: Requirement} of a requirements*.in file (options skipped)."""
    requirements = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        requirements[canonicalize_name(requirement.name)] = requirement
    return requirements


def read_pins(name):
    """{canonical name: Version} of a compiled requirements*.txt; every entry
    must be an exact pin."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(line.split(" #")[0].strip())
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{name}: {line!r}"
        pins[canonicalize_name(requirement.name)] = Version(specifiers[0].version)
    return pins


COMPILED = [
    ("requirements.in", "requirements.txt"),
    ("requirements-dev.in", "requirements-dev.txt"),
]
RUNTIME_IN = read_in("requirements.in")
DEV_IN = read_in("requirements-dev.in")


def test_every_runtime_import_is_a_direct_runtime_requirement():
    missing = {}
    for module, places in third_party_imports().items():
        runtime_files = sorted(file for area, file in places if area == "runtime")
        if not runtime_files:
            continue
        distributions = distributions_of(module)
        assert distributions, f"{module} (imported by {runtime_files[0]}) is not installed"
        if not distributions & RUNTIME_IN.keys():
            missing[module] = (sorted(distributions), runtime_files[0])
    assert missing == {}, f"add to requirements.in: {missing}"


def test_every_test_and_benchmark_import_is_a_direct_requirement():
    direct = RUNTIME_IN.keys() | DEV_IN.keys()
    missing = {}
    for module, places in third_party_imports().items():
        files = sorted(file for _, file in places)
        distributions = distributions_of(module)
        assert distributions, f"{module} (imported by {files[0]}) is not installed"
        if not distributions & direct:
            missing[module] = (sorted(distributions), files[0])
    assert missing == {}, f"add to requirements-dev.in: {missing}"


def test_every_plugin_the_settings_name_is_a_direct_runtime_requirement():
    missing = {
        module: (sorted(distributions_of(module)), file)
        for module, file in settings_plugins().items()
        if not distributions_of(module) & RUNTIME_IN.keys()
    }
    assert missing == {}, f"add to requirements.in: {missing}"


def test_nothing_is_required_that_the_project_does_not_use():
    used = set(USED_WITHOUT_IMPORT)
    for module in third_party_imports().keys() | settings_plugins().keys():
        used |= distributions_of(module)
    unused = (RUNTIME_IN.keys() | DEV_IN.keys()) - used
    assert unused == set(), f"remove from requirements*.in (or say why in this test): {unused}"


def test_runtime_imports_are_not_left_to_the_dev_requirements():
    runtime_modules = [
        module
        for module, places in third_party_imports().items()
        if any(area == "runtime" for area, _ in places)
    ]
    dev_only = DEV_IN.keys() - RUNTIME_IN.keys()
    for module in runtime_modules:
        assert not distributions_of(module) & dev_only, f"{module} is runtime code's import"


@pytest.mark.parametrize("source, compiled", COMPILED)
def test_the_compiled_file_pins_every_direct_requirement_within_its_range(source, compiled):
    direct = read_in(source)
    pins = read_pins(compiled)
    assert direct, source
    for name, requirement in direct.items():
        assert name in pins, f"{compiled} lacks {name}: run `make requirements`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{compiled} pins {name}=={pins[name]}, outside {source}'s {requirement}"
        )


def extra_dependencies(requirement, extra):
    """The requirements the installed `requirement.name` declares for `extra`."""
    declared = [Requirement(line) for line in importlib.metadata.requires(requirement.name) or ()]
    return [dep for dep in declared if dep.marker and dep.marker.evaluate({"extra": extra})]


@pytest.mark.parametrize("source, compiled", COMPILED)
def test_the_compiled_file_pins_what_each_requested_extra_brings(source, compiled):
    pins = read_pins(compiled)
    for requirement in read_in(source).values():
        for extra in requirement.extras:
            needed = extra_dependencies(requirement, extra)
            assert needed, f"{requirement.name}[{extra}] brings nothing"
            for dependency in needed:
                assert canonicalize_name(dependency.name) in pins, (
                    f"{compiled} lacks {dependency.name} from {requirement.name}[{extra}]"
                )


def test_the_dev_lock_agrees_with_the_runtime_lock():
    runtime = read_pins("requirements.txt")
    dev = read_pins("requirements-dev.txt")
    disagree = {name: (runtime[name], dev[name]) for name in runtime.keys() & dev.keys()}
    assert {name: pair for name, pair in disagree.items() if pair[0] != pair[1]} == {}
    assert "-c requirements.txt" in (ROOT / "requirements-dev.in").read_text()


def test_the_installed_versions_are_the_pinned_ones():
    # `make install-dev` installs exactly the locks; a drift means a lock (or
    # the environment) was changed by hand.
    pins = read_pins("requirements.txt") | read_pins("requirements-dev.txt")
    drift = {}
    for name, version in pins.items():
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            drift[name] = (str(version), "not installed")
            continue
        # The public part: the torch wheel here is 2.13.0+cpu for the pin 2.13.0.
        if installed.public != version.public:
            drift[name] = (str(version), str(installed))
    assert drift == {}


def test_torch_stays_pinned_exactly_and_the_forbidden_packages_stay_out():
    torch = RUNTIME_IN["torch"]
    assert str(torch.specifier) == "==2.13.0"
    text = (ROOT / "requirements.in").read_text()
    assert "Never add wagtail-cache, wagtail-seo, wagtail-csp or wagtail-vector-index" in text
    forbidden = {"wagtail-cache", "wagtail-seo", "wagtail-csp", "wagtail-vector-index"}
    for compiled in ("requirements.txt", "requirements-dev.txt"):
        assert not forbidden & read_pins(compiled).keys(), compiled
