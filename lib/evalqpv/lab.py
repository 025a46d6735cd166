"""JupyterLab for analysts (`make lab`): the report notebooks open read-only.

`make lab` starts JupyterLab on the project's root with
`--ServerApp.contents_manager_class=evalqpv.lab.ReportNotebooksReadOnly`. The notebooks
reports are made from (`notebooks/<rapport>.ipynb`) are shown as read-only, and the server
refuses to save, rename or delete them, in French: an analyst who changes one saves a copy
(Fichier > Enregistrer sous…), never the report's source by accident. Everything else
(the exploration notebook, a copy, a new notebook) is saved as usual.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError

from .vocabulary import PARTNER_NOTEBOOK, REPORTS

NOTEBOOKS = "notebooks"
PROTECTED = frozenset(f"{NOTEBOOKS}/{name}.ipynb" for name in (*REPORTS, PARTNER_NOTEBOOK))


def is_report_notebook(path: str) -> bool:
    """notebooks/contexte.ipynb (relative to the project's root, as Jupyter names it)."""
    return str(PurePosixPath(path.strip("/"))) in PROTECTED


def refusal(path: str) -> str:
    """Why a report notebook is not written, and what to do instead, in French."""
    return (f"{path.strip('/')} est le notebook d'un rapport : il n'est pas modifié depuis "
            "JupyterLab, pour que les rapports restent ceux du dépôt. Enregistrez une copie "
            "(Fichier > Enregistrer sous…, par exemple dans notebooks/brouillons/) ; pour "
            "changer le rapport lui-même, modifiez le fichier dans le dépôt "
            "(docs/developpement.md).")


class ReportNotebooksReadOnly(AsyncLargeFileManager):
    """Jupyter's file manager, the report notebooks read-only."""

    def _base_model(self, path: str) -> dict[str, Any]:
        model: dict[str, Any] = super()._base_model(path)  # type: ignore[no-untyped-call]
        if is_report_notebook(path):
            model["writable"] = False
        return model

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        if is_report_notebook(path):
            raise HTTPError(403, refusal(path))
        saved: dict[str, Any] = await super().save(model, path)  # type: ignore[no-untyped-call]
        return saved

    async def delete_file(self, path: str) -> None:
        if is_report_notebook(path):
            raise HTTPError(403, refusal(path))
        await super().delete_file(path)  # type: ignore[no-untyped-call]

    async def rename_file(self, old_path: str, new_path: str) -> None:
        if is_report_notebook(old_path) or is_report_notebook(new_path):
            raise HTTPError(403, refusal(old_path if is_report_notebook(old_path)
                                         else new_path))
        await super().rename_file(old_path, new_path)  # type: ignore[no-untyped-call]
