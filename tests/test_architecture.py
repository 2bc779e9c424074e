"""The layers of the code: each app imports only those below it, the core imports no app, and
nothing imports the configuration (contracts in ``.importlinter``, checked by import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from exchanges import case_links, entity_listeners

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "selec",
    "partners",
    "taskforces",
    "exchanges",
    "hits",
    "cases",
    "records",
    "analytics",
    "oversight",
    "subjects",
    "products",
    "bench",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    # This interpreter's own command, on a tree the test chose: nothing comes from outside.
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / ".importlinter"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def copy_of_the_code(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", destination / ".importlinter")
    return destination


def test_the_code_keeps_its_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "backward_import", "broken"),
    [
        ("exchanges/policy.py", "import cases.models", "Apps depend downward only"),
        ("partners/models.py", "import taskforces.models", "Apps depend downward only"),
        ("selec/core/audit.py", "import partners.models", "Apps depend downward only"),
        ("exchanges/services/sending.py", "import hits.matching", "Apps depend downward only"),
        # Cases and hits stand side by side: neither may import the other.
        ("hits/matching.py", "import cases.models", "Apps depend downward only"),
        ("cases/services.py", "import hits.models", "Apps depend downward only"),
        # Records (review, erasure, correction) stands beside them, below the DPO's tools.
        ("records/models.py", "import hits.models", "Apps depend downward only"),
        ("records/models.py", "import subjects.apps", "Apps depend downward only"),
        ("analytics/tables.py", "import products.models", "Apps depend downward only"),
        ("exchanges/models_purposes.py", "import records.models", "Apps depend downward only"),
        ("cases/services.py", "import selec.demo", "Nothing imports the configuration"),
        ("analytics/services.py", "import bench.measure", "Nothing imports the configuration"),
    ],
)
def test_an_import_that_points_up_breaks_a_contract(
    tmp_path: Path, module: str, backward_import: str, broken: str
) -> None:
    tree = copy_of_the_code(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"\n{backward_import}  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout
    assert "BROKEN" in result.stdout


def test_no_case_can_be_named_without_the_cases_app(monkeypatch: pytest.MonkeyPatch) -> None:
    # The send must never skip the case rules because nobody answered for the cases.
    monkeypatch.setattr(case_links, "_LINKS", [])
    with pytest.raises(ImproperlyConfigured):
        case_links.case_links()


def test_the_cases_app_answers_for_the_cases() -> None:
    from cases.links import CaseLinksOfCases

    assert isinstance(case_links.case_links(), CaseLinksOfCases)


def test_the_hits_app_indexes_the_entities_exchanges_store() -> None:
    from hits.indexing import entities_index

    assert entity_listeners._LISTENERS["hits"] is entities_index
