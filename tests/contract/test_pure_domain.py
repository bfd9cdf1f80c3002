"""Every service's domain is pure (issue 8.3, STYLE "Inside a service"): a module named
``domain*.py`` or inside a ``domain/`` package imports only the standard library and
first-party modules that are pure themselves (followed through, with the packages they
load), never nameko, SQLAlchemy, marshmallow, Flask or any other third-party package;
so its tests need neither broker nor database."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.parent.name for p in REPO.glob("services/*/pyproject.toml"))
FIRST_PARTY = {"servicekit", "gateway", *SERVICES}


def domain_modules(service: str) -> list[Path]:
    package = REPO / "services" / service / service
    found = set(package.glob("domain*.py")) | set(package.glob("**/domain/**/*.py"))
    return sorted(found)


def module_name(path: Path) -> str:
    if not path.resolve().is_relative_to(REPO):
        return path.stem  # a probe of this test's own
    parts = path.resolve().relative_to(REPO).with_suffix("").parts
    # services/<svc>/<pkg>/... and libs/servicekit/servicekit/... -> <pkg>.<...>
    name = ".".join(parts[2:])
    return name.removesuffix(".__init__")


def imported(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            # ``from pkg import module`` loads pkg.module when that is a module
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def source_of(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def impurities(path: Path) -> list[str]:
    """``"a -> b -> marshmallow"`` for each first-party module ``path`` reaches (itself,
    what it imports and the packages those load) that imports a third-party package."""
    found: list[str] = []
    seen = {path}
    todo = [(path, module_name(path))]
    while todo:
        source, chain = todo.pop()
        for name in sorted(imported(source)):
            top = name.partition(".")[0]
            if top in sys.stdlib_module_names:
                continue
            if top not in FIRST_PARTY:
                found.append(f"{chain} -> {name}")
                continue
            for module in with_parents(name):
                module_source = source_of(module)
                if module_source is not None and module_source not in seen:
                    seen.add(module_source)
                    todo.append((module_source, f"{chain} -> {module}"))
    return found


# Every service with a domain; complaints and customer today, returns and finance to come.
CASES = [service for service in SERVICES if domain_modules(service)]


def test_the_check_finds_a_third_party_package_behind_a_first_party_module(tmp_path):
    probe = tmp_path / "domain_probe.py"
    probe.write_text("import uuid\nfrom servicekit.validation import load\n", encoding="utf-8")
    assert "domain_probe -> servicekit.validation -> marshmallow" in impurities(probe)
    probe.write_text("import uuid\nfrom servicekit.errors import Invalid\n", encoding="utf-8")
    assert impurities(probe) == []


@pytest.mark.parametrize("service", CASES)
def test_domain_imports_only_the_standard_library_and_pure_modules(service):
    found = {
        str(path.relative_to(REPO)): impurities(path)
        for path in domain_modules(service)
        if impurities(path)
    }
    assert found == {}, f"domain modules reaching third-party packages: {found}"
