"""Every error a service raises over RPC reaches the gateway as itself: nameko rebuilds a
remote exception only from a class the caller has imported, and the gateway imports the
contracts (servicekit), not the services. A DomainError class defined inside a service
package came back as nameko's RemoteError, a 500 (GET /reports/complaints/monthly/1999-01
answered 500 instead of 404 ``monthly_report_not_found``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from servicekit import errors

REPO = Path(__file__).resolve().parents[2]
ERROR_BASES = {
    cls.__name__
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.DomainError)
}


def service_modules() -> list[Path]:
    return sorted(
        path
        for path in REPO.glob("services/*/*/**/*.py")
        if "tests" not in path.relative_to(REPO).parts and ".venv" not in path.parts
    )


def error_classes_defined_in(path: Path) -> list[str]:
    """Classes in ``path`` whose base is one of servicekit.errors' (or of such a class
    defined earlier in the same file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    known = set(ERROR_BASES)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & known:
                known.add(node.name)
                found.append(node.name)
    return found


def test_the_error_bases_are_found():
    assert {"DomainError", "NotFound", "Conflict", "Forbidden", "Invalid"} <= ERROR_BASES


def test_a_class_deriving_from_an_error_base_is_seen(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from servicekit.errors import NotFound\n"
        "class Missing(NotFound):\n    code = 'x'\n"
        "class StillMissing(Missing):\n    pass\n"
        "class Other(ValueError):\n    pass\n"
    )
    assert error_classes_defined_in(probe) == ["Missing", "StillMissing"]


@pytest.mark.parametrize(
    "path", service_modules(), ids=lambda p: str(p.relative_to(REPO / "services"))
)
def test_no_service_defines_an_error_of_its_own(path):
    assert error_classes_defined_in(path) == [], (
        "define RPC errors in servicekit.contracts.<service>_vocabulary"
    )
