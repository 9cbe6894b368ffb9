"""Install torch without CUDA, from plain PyPI or from a mirror (stdlib only).

On plain PyPI the Linux `torch==X` wheel depends on several GB of `nvidia-*`
CUDA packages; the CPU-only build of the same release is `X+cpu` on the
PyTorch CPU index. `pip-args` prints `--extra-index-url <TORCH_INDEX_URL>`
when that index answers (pip then prefers `X+cpu`, which sorts after `X`, and
the pin `torch==X` admits it) and nothing when it does not (a mirror that
serves the CPU wheel under the plain name, as on the project's build machine).
`check` resolves the requirements with those arguments, downloading metadata
only (`pip install --dry-run --report`), and fails if any CUDA package is in
the set. The Makefile uses both: `make install` and `make test`.

    python deploy/cpu_only_install.py pip-args
    python deploy/cpu_only_install.py check [--python .venv/bin/python] [requirements.txt ...]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

DEFAULT_TORCH_INDEX_URL = "https://download.pytorch.org/whl/cpu"
# nvidia-cublas-cu12, nvidia-cudnn-cu12, ... and triton (the GPU compiler the
# CUDA build of torch pulls in); a local label like +cu128 marks a CUDA build.
CUDA_NAME = re.compile(r"^(nvidia-|triton$|cuda-)", re.IGNORECASE)
CUDA_LOCAL_LABEL = re.compile(r"\+cu\d+", re.IGNORECASE)


def torch_index_url():
    """The CPU wheel index (TORCH_INDEX_URL; empty switches it off)."""
    return os.environ.get("TORCH_INDEX_URL", DEFAULT_TORCH_INDEX_URL).strip()


def index_reachable(url, timeout=5):
    """Whether the index answers for torch within `timeout` seconds."""
    if not url.startswith(("https://", "http://")):
        return False
    try:
        # The scheme is checked above.
        with urllib.request.urlopen(f"{url.rstrip('/')}/torch/", timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except (OSError, ValueError):
        return False


def pip_args():
    """The pip arguments that make torch resolve to its CPU build here."""
    url = torch_index_url()
    return ["--extra-index-url", url] if url and index_reachable(url) else []


def cuda_packages(report):
    """`name==version` of every CUDA package in a `pip install --report` document."""
    found = []
    for item in report.get("install", []):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if CUDA_NAME.match(name) or CUDA_LOCAL_LABEL.search(version):
            found.append(f"{name}=={version}")
    return found


def resolve(python, requirements, extra_args):
    """The install report pip would act on for `requirements` in a fresh
    environment (metadata only: nothing is installed or fully downloaded
    where the index serves metadata files, as PyPI does)."""
    with tempfile.TemporaryDirectory() as tmp:
        report_path = os.path.join(tmp, "report.json")
        command = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
        command += ["--report", report_path, *extra_args]
        for path in requirements:
            command += ["-r", path]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own pip
        with open(report_path) as report:
            return json.load(report)


def build_parser():
    """The command line: `pip-args`, or `check [requirements...] [--python PY]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["pip-args", "check"])
    parser.add_argument("--python", default=sys.executable, help="the Python whose pip resolves")
    parser.add_argument("requirements", nargs="*", default=["requirements.txt"])
    return parser


def main(argv=None):
    """Print the pip arguments, or check the resolved set (exit 1 on CUDA)."""
    # Intermixed: requirement files may come before or after --python.
    options = build_parser().parse_intermixed_args(argv)
    extra_args = pip_args()
    if options.command == "pip-args":
        sys.stdout.write(" ".join(extra_args) + "\n")
        return 0
    report = resolve(options.python, options.requirements, extra_args)
    cuda = cuda_packages(report)
    versions = {
        item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]
    }
    where = " ".join(extra_args) or "the configured index"
    if cuda:
        sys.stderr.write(f"CUDA packages in the install set ({where}): {', '.join(cuda)}\n")
        return 1
    sys.stdout.write(
        f"CPU-only install set: {len(versions)} packages, torch {versions.get('torch')} ({where})\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
