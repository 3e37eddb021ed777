"""The round lifecycle keeps its shape: the steps in one package, every statement in its store."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "serendip"
LIFECYCLE = PACKAGE / "services" / "lifecycle"
STEPS = ("tick", "plan", "deliver", "close", "followup")


def _sqlalchemy_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("sqlalchemy"))
    return names


def test_every_step_of_a_round_is_a_module_of_the_lifecycle_package() -> None:
    modules = {path.stem for path in LIFECYCLE.glob("*.py")}
    assert set(STEPS) <= modules
    docstring = ast.get_docstring(ast.parse((LIFECYCLE / "__init__.py").read_text(encoding="utf-8"))) or ""
    positions = [docstring.index(f"`{step}`") for step in STEPS]
    assert positions == sorted(positions), "the package docstring lists the steps in order"


def test_lifecycle_services_write_no_sql_of_their_own() -> None:
    # Statements live in adapters/db/lifecycle_store.py and lifecycle_history.py; a session type is fine.
    offences = {
        f"{path.name} imports {name}"
        for path in sorted(LIFECYCLE.glob("*.py"))
        for name in _sqlalchemy_imports(path)
        if name != "sqlalchemy.orm.Session"
    }
    assert offences == set()


def test_only_the_lifecycle_store_takes_row_locks() -> None:
    users = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "with_for_update" in path.read_text(encoding="utf-8")
    )
    assert users == ["adapters/db/lifecycle_store.py"]
