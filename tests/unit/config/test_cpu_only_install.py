"""The install resolves torch to its CPU build: no nvidia-*/CUDA package
(deploy/cpu_only_install.py, used by `make install` and `make test`)."""

import re
import sys
from pathlib import Path

from deploy import cpu_only_install

ROOT = Path(__file__).resolve().parents[3]


def report(*packages):
    """A `pip install --report` document installing (name, version) pairs."""
    return {"install": [{"metadata": {"name": n, "version": v}} for n, v in packages]}


def test_the_cuda_build_of_torch_is_caught():
    # What plain PyPI's Linux torch resolves to without the CPU index.
    cuda = report(
        ("torch", "2.13.0"),
        ("nvidia-cublas-cu12", "12.8.4.1"),
        ("nvidia-cudnn-cu12", "9.10.2.21"),
        ("triton", "3.5.0"),
        ("numpy", "2.3.4"),
    )
    assert cpu_only_install.cuda_packages(cuda) == [
        "nvidia-cublas-cu12==12.8.4.1",
        "nvidia-cudnn-cu12==9.10.2.21",
        "triton==3.5.0",
    ]
    assert cpu_only_install.cuda_packages(report(("torch", "2.13.0+cu128"))) == [
        "torch==2.13.0+cu128"
    ]
    assert cpu_only_install.cuda_packages(report(("torch", "2.13.0+cpu"), ("numpy", "2"))) == []


def test_an_unreachable_cpu_index_leaves_the_configured_index(monkeypatch):
    monkeypatch.setenv("TORCH_INDEX_URL", "http://127.0.0.1:9/whl/cpu")  # discard port
    assert cpu_only_install.pip_args() == []
    monkeypatch.setenv("TORCH_INDEX_URL", "")
    assert cpu_only_install.pip_args() == []


def test_the_pinned_torch_resolves_without_cuda(tmp_path):
    """The real resolution of the pinned torch and its dependencies, with the
    arguments `make install` uses here (metadata only, no multi-GB download)."""
    pin = next(
        line.split()[0]
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if re.match(r"torch==", line)
    )
    requirements = tmp_path / "torch.txt"
    requirements.write_text(pin + "\n")
    resolved = cpu_only_install.resolve(
        sys.executable, [str(requirements)], cpu_only_install.pip_args()
    )
    names = {item["metadata"]["name"].lower() for item in resolved["install"]}
    assert "torch" in names
    assert cpu_only_install.cuda_packages(resolved) == []


def test_the_makefile_recipe_is_a_valid_command_line():
    makefile = (ROOT / "Makefile").read_text().splitlines()
    recipe = next(line for line in makefile if "cpu_only_install.py check" in line)
    arguments = recipe.split("cpu_only_install.py", 1)[1].replace("$(PY)", "python").split()
    options = cpu_only_install.build_parser().parse_intermixed_args(arguments)
    assert (options.command, options.requirements, options.python) == (
        "check",
        ["requirements.txt"],
        "python",
    )
    # Either order of the files and --python parses alike.
    reordered = cpu_only_install.build_parser().parse_intermixed_args(
        ["check", "--python", "python", "requirements.txt"]
    )
    assert reordered.requirements == ["requirements.txt"]
