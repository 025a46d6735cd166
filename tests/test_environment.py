"""The dependency files cannot drift apart: pyproject.toml and requirements.lock (what the
install uses) pin the same versions, environment.yml installs the lock itself, and the
running environment is the one the lock describes."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_canonical(m.group(1)): m.group(2)
            for m in (re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", p) for p in pins) if m}


def lock_pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {_canonical(m.group(1)): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)}


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert len(pyproject_pins()) == len(pins), "a dependency is not pinned with =="


def test_conda_environment_installs_the_whole_lock():
    """conda gives Python 3.11 and pip, nothing else; pip installs requirements.lock, every
    package at its locked version and hash: the same set as .venv, not only the direct
    packages (what the README says conda users get)."""
    lines = [line.split("#")[0].rstrip() for line in
             (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()]
    entries = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
    assert entries == ["conda-forge", "python=3.11", "pip", "pip:", "-r requirements.lock"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "environment.yml" in readme and "requirements.lock` tel quel" in readme


def test_lock_agrees_with_pyproject_and_hashes_every_package():
    lock, direct = lock_pins(), pyproject_pins()
    assert {name: lock.get(name) for name in direct} == direct
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"^(?=[A-Za-z0-9])", text, flags=re.MULTILINE)
    unhashed = [b.split("==")[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert not unhashed, unhashed
    assert len(lock) > 2 * len(direct)  # the transitive dependencies are locked too


def test_installed_environment_is_the_locked_one():
    """What `make installer` installed is exactly what the lock says (the same versions
    for every locked package that is installed, and none missing)."""
    installed = {_canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    lock = lock_pins()
    wrong = {name: (version, installed.get(name)) for name, version in lock.items()
             if installed.get(name) != version}
    assert not wrong, wrong


def test_lib_is_not_ignored_by_git():
    text = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "!lib/" in text
