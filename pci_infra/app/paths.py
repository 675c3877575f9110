"""Where the project's assets live: the HCL modules (``modules/``) and function sources (``lambda/``).

The Python packages are a library; the assets sit beside ``cdktf.json`` in the project directory,
as in every cdktf project. In a checkout (or an editable install) that is the directory above this
package. A regular install puts the package in site-packages, so the project directory is then the
nearest directory holding ``cdktf.json`` and ``modules/``, from the working directory upwards: run it
from the project, as ``cdktf synth`` does.
"""

from __future__ import annotations

from pathlib import Path

MARKERS = ("cdktf.json", "modules")


class ProjectRootNotFoundError(RuntimeError):
    """Neither the package's parent nor the working directory lies in a project directory."""


def _is_project(directory: Path) -> bool:
    return all((directory / marker).exists() for marker in MARKERS)


def find_project_root(start: Path | None = None) -> Path:
    """The project directory: the package's parent in a checkout, else searched from ``start`` upwards.

    Raises:
        ProjectRootNotFoundError: No directory with ``cdktf.json`` and ``modules/`` was found.
    """
    beside_package = Path(__file__).resolve().parents[2]
    if _is_project(beside_package):
        return beside_package
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if _is_project(directory):
            return directory
    raise ProjectRootNotFoundError(
        f"no project directory (holding {', '.join(MARKERS)}) above {here}: run from the project checkout"
    )


PROJECT_ROOT = find_project_root()
MODULES_DIR = PROJECT_ROOT / "modules"
LAMBDA_DIR = PROJECT_ROOT / "lambda"
BUILD_DIR = PROJECT_ROOT / "build"
