"""`make lab`: JupyterLab on the project's root, the exploration notebook open, the report
notebooks read-only, options passed through, --allow-root added (and said) as root."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from tornado.web import HTTPError

from evalqpv.lab import ReportNotebooksReadOnly, is_report_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_report_notebooks_are_the_protected_ones():
    assert is_report_notebook("notebooks/contexte.ipynb")
    assert is_report_notebook("/notebooks/synthese.ipynb")
    assert is_report_notebook("notebooks/partenaire.ipynb")
    assert not is_report_notebook("notebooks/exploration.ipynb")
    assert not is_report_notebook("notebooks/brouillons/contexte.ipynb")
    assert not is_report_notebook("contexte.ipynb")


def test_a_report_notebook_is_read_only_and_never_saved(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for name in ("emploi", "exploration"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notebooks" / f"{name}.ipynb")
    before = (tmp_path / "notebooks" / "emploi.ipynb").read_bytes()
    manager = ReportNotebooksReadOnly(root_dir=str(tmp_path))

    async def scenario() -> None:
        report = await manager.get("notebooks/emploi.ipynb")
        assert report["writable"] is False
        mine = await manager.get("notebooks/exploration.ipynb")
        assert mine["writable"] is True
        with pytest.raises(HTTPError) as refused:
            await manager.save(report, "notebooks/emploi.ipynb")
        assert refused.value.status_code == 403
        assert "Enregistrez une copie" in str(refused.value.log_message)
        with pytest.raises(HTTPError):
            await manager.delete_file("notebooks/emploi.ipynb")
        with pytest.raises(HTTPError):
            await manager.rename_file("notebooks/exploration.ipynb", "notebooks/emploi.ipynb")
        await manager.save(report, "notebooks/copie_emploi.ipynb")  # a copy is saved
        await manager.save(mine, "notebooks/exploration.ipynb")

    asyncio.run(scenario())
    assert (tmp_path / "notebooks" / "emploi.ipynb").read_bytes() == before
    assert (tmp_path / "notebooks" / "copie_emploi.ipynb").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_lab_roots_jupyterlab_at_the_project_with_options(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("pyproject.toml", "requirements.lock"):
        (tmp_path / name).write_text("", encoding="utf-8")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "jupyter").write_text('#!/bin/bash\nprintf "<%s>\\n" "$@" > "$(dirname "$0")/args"\n',
                                  encoding="utf-8")
    (fake / "jupyter").chmod(0o755)
    (fake / ".installe").write_text("", encoding="utf-8")
    done = subprocess.run(["make", "--no-print-directory", f"BIN={fake}",
                           f"STAMP={fake / '.installe'}", "lab",
                           "LAB_OPTIONS=--no-browser --port 8899"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    args = (fake / "args").read_text(encoding="utf-8").splitlines()
    assert args[0] == "<lab>"
    assert f"<--ServerApp.root_dir={tmp_path}>" in args
    assert "<--LabApp.default_url=/lab/tree/notebooks/exploration.ipynb>" in args
    assert "<--ServerApp.contents_manager_class=evalqpv.lab.ReportNotebooksReadOnly>" in args
    assert args[-3:] == ["<--no-browser>", "<--port>", "<8899>"]
    as_root = os.getuid() == 0
    assert ("<--allow-root>" in args) == as_root
    assert ("Lancé en root" in done.stderr) == as_root
