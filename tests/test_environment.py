"""pyproject.toml and environment.yml must pin the same packages at the same versions."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_conda_environment_agrees_with_pip_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    pip = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", p).groups() for p in pins)
    conda = {}
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\s*-\s*([A-Za-z0-9_.-]+)=(\S+)", line)
        if m and m.group(1) != "python":
            conda[m.group(1)] = m.group(2)
    assert conda == pip
    assert "python=3.11" in (ROOT / "environment.yml").read_text(encoding="utf-8")


def test_lib_is_not_ignored_by_git():
    text = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "!lib/" in text
