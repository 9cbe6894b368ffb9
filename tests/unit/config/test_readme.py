"""The README's configuration table stays true to the settings code."""

import re

from tests.servers import ROOT

SETTINGS_FILES = sorted((ROOT / "config" / "settings").glob("*.py"))
README = (ROOT / "README.md").read_text()


def variables_read_by_settings():
    pattern = re.compile(r'env\.\w+\(\s*"([A-Z0-9_]+)"')
    names = set()
    for path in SETTINGS_FILES:
        names.update(pattern.findall(path.read_text()))
    return names


def test_every_environment_variable_is_documented():
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", README, flags=re.M))
    test_only = set(re.findall(r"`(TEST_[A-Z_]+)`", README))
    missing = variables_read_by_settings() - documented - test_only
    assert not missing, f"add these to the README table: {sorted(missing)}"


def test_readme_setup_is_the_two_make_commands():
    setup = README.split("## Set up", 1)[1].split("##", 1)[0]
    assert "make run" in setup
    assert "make test" in setup
