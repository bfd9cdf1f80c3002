"""Mutation testing of the domain modules with cosmic-ray (issue 8.9): `make mutate`.

    python deploy/mutate.py [SERVICE ...] [--module PATH] [--timeout S] [--list]

For every domain module (``services/<svc>/<svc>/domain.py`` or each module of a
``domain/`` package), one at a time: copy the service and servicekit into
``var/mutate/<svc>/`` (cosmic-ray mutates its module in place, and the checkout is shared,
so it mutates the copy), run cosmic-ray over that service's unit tests only
(``services/<svc>/tests/unit``, ``pytest -x``, no plugins, no root conftest: the domain
needs neither broker, database nor eventlet), and print the figures. A survivor listed in
``docs/mutation-equivalents.toml`` is an equivalent mutant (no test can tell it apart)
and is set aside; the score is killed / (valid - equivalent), valid = not incompetent.

Each test run is bounded by cosmic-ray's subprocess timeout, which kills the run's process
group: pytest-timeout does not fire under eventlet's patching. The exit status is 1 when a
module scores under ``--target`` (95 %), so the target can be checked by hand; CI does not
run this (it takes minutes per module).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.toml"
SCRATCH = ROOT / "var" / "mutate"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "integration")


def domain_modules(service: str) -> list[Path]:
    """The domain modules of a service, relative to its service directory."""
    package = ROOT / "services" / service / service
    modules = [package / "domain.py"] if (package / "domain.py").exists() else []
    modules += sorted((package / "domain").glob("*.py")) if (package / "domain").is_dir() else []
    return [m.relative_to(ROOT / "services" / service) for m in modules]


def services_with_domain() -> list[str]:
    return [
        p.name
        for p in sorted((ROOT / "services").iterdir())
        if (p / "tests" / "unit").is_dir() and domain_modules(p.name)
    ]


def prepare(service: str) -> Path:
    """A fresh copy of the service (package and unit tests) and servicekit."""
    work = SCRATCH / service
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(ROOT / "services" / service / service, work / service, ignore=IGNORE)
    shutil.copytree(
        ROOT / "services" / service / "tests" / "unit", work / "tests" / "unit", ignore=IGNORE
    )
    shutil.copytree(ROOT / "libs" / "servicekit" / "servicekit", work / "servicekit", ignore=IGNORE)
    # Its own (empty) pytest configuration, so pytest does not climb to the checkout's.
    (work / "pytest.ini").write_text("[pytest]\n")
    return work


def session_path(service: str, module: Path) -> Path:
    """cosmic-ray's record of one module's run, kept beside the copy for --report."""
    return SCRATCH / f"{service}-{module.with_suffix('').as_posix().replace('/', '.')}.sqlite"


def test_stages(service: str, work: Path) -> list[list[str]]:
    """The unit test files in two stages: those of the domain alone first (no handlers, no
    schemas: quick to import), the rest only when the first stage passed."""
    files = sorted((work / "tests" / "unit").glob("test_*.py"))
    adapters = {f"{service}.{name}" for name in ("handlers", "service", "models", "queries")}
    domain, rest = [], []
    for path in files:
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        alone = not imported & adapters and not any(n.endswith("Schema") for n in imported)
        (domain if alone else rest).append(path.relative_to(work).as_posix())
    return [stage for stage in (domain, rest) if stage]


def test_command(service: str, work: Path) -> str:
    # No root conftest (eventlet) and no plugins (nameko, schemathesis, hypothesis): the
    # unit tests need none of them, and pytest starts in a fraction of the time. -x: the
    # first failure kills the mutant.
    pytest = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    pytest.append("--import-mode=importlib")
    runs = [shlex.join(pytest + stage) for stage in test_stages(service, work)]
    return shlex.join(["sh", "-c", " && ".join(runs)])


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The copy comes before the editable installs of the checkout (meta-path finders
    # that only run after sys.path).
    env["PYTHONPATH"] = str(work)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def load_equivalents() -> list[dict]:
    if not EQUIVALENTS.exists():
        return []
    return tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", [])


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the annotations are, when ``from __future__ import annotations`` keeps them
    unevaluated: a mutant in one (``str | None`` -> ``str + None``) cannot change behaviour."""
    tree = ast.parse(source)
    future = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "annotations" for a in node.names)
        for node in tree.body
    )
    if not future:
        return []
    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            annotations.append(node.returns)
        elif isinstance(node, ast.arg | ast.AnnAssign) and node.annotation:
            annotations.append(node.annotation)
    return [((a.lineno, a.col_offset), (a.end_lineno, a.end_col_offset)) for a in annotations]


def in_annotation(item, spans) -> bool:
    start, end = tuple(item.mutations[0].start_pos), tuple(item.mutations[0].end_pos)
    return any(first <= start and end <= last for first, last in spans)


def skip_annotations(session: Path, source: str) -> int:
    """Mark the annotation mutants skipped before the run: they need no test run."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    spans = annotation_spans(source)
    with use_db(str(session), WorkDB.Mode.open) as db:
        skipped = [item.job_id for item in db.pending_work_items if in_annotation(item, spans)]
        db.set_multiple_results(
            skipped,
            WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="annotation"),
        )
    return len(skipped)


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and added source of a mutant's diff, whitespace-normalised."""
    removed = [ln[1:].strip() for ln in diff.splitlines() if ln[:1] == "-" and ln[:3] != "---"]
    added = [ln[1:].strip() for ln in diff.splitlines() if ln[:1] == "+" and ln[:3] != "+++"]
    return " ".join(removed), " ".join(added)


def is_equivalent(module: str, operator: str, diff: str, equivalents: list[dict]) -> dict | None:
    before, after = changed_lines(diff)
    for entry in equivalents:
        if (
            entry["module"] == module
            and entry["operator"] == operator
            and entry["before"] == before
            and entry["after"] == after
        ):
            return entry
    return None


def run_module(service: str, module: Path, timeout: float | None, show: bool) -> dict:
    work = prepare(service)
    env = environment(work)
    command = test_command(service, work)
    started = time.monotonic()
    baseline = subprocess.run(shlex.split(command), cwd=work, env=env, capture_output=True)
    if baseline.returncode != 0:
        sys.stdout.write(baseline.stdout.decode() + baseline.stderr.decode())
        raise SystemExit(f"{service}: the unit tests fail before any mutation")
    took = time.monotonic() - started
    # A mutant that loops is killed by the timeout: ten times a clean run, at least 20 s.
    limit = timeout or max(20.0, 10 * took)
    config = work / "cosmic-ray.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module.as_posix()}"\n'
        f"timeout = {limit:.1f}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )
    session = session_path(service, module)
    session.unlink(missing_ok=True)
    cosmic = [str(Path(sys.executable).with_name("cosmic-ray"))]
    print(f"== {service}/{module.as_posix()}: clean run {took:.1f} s, timeout {limit:.0f} s")
    subprocess.run([*cosmic, "init", str(config), str(session)], cwd=work, env=env, check=True)
    skipped = skip_annotations(session, (work / module).read_text())
    print(f"   {skipped} mutants in unevaluated annotations set aside without a run")
    subprocess.run([*cosmic, "exec", str(config), str(session)], cwd=work, env=env, check=True)
    return summarise(service, module, session, show)


def summarise(service: str, module: Path, session: Path, show: bool) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    name = f"services/{service}/{module.as_posix()}"
    equivalents = load_equivalents()
    spans = annotation_spans((SCRATCH / service / module).read_text())
    figures = {
        "total": 0,
        "killed": 0,
        "survived": 0,
        "equivalent": 0,
        "annotation": 0,
        "incompetent": 0,
    }
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            figures["total"] += 1
            operator = item.mutations[0].operator_name
            if result.worker_outcome == WorkerOutcome.SKIPPED or in_annotation(item, spans):
                figures["annotation"] += 1
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                figures["incompetent"] += 1
            elif result.test_outcome == TestOutcome.KILLED:
                figures["killed"] += 1
            elif is_equivalent(name, operator, result.diff or "", equivalents):
                figures["equivalent"] += 1
            else:
                figures["survived"] += 1
                survivors.append((item, operator, result.diff or ""))
        figures["pending"] = db.num_work_items - db.num_results
    scored = figures["killed"] + figures["survived"]
    figures["score"] = round(100 * figures["killed"] / scored, 1) if scored else 100.0
    if show:
        for item, operator, diff in sorted(survivors, key=lambda s: s[0].mutations[0].start_pos):
            before, after = changed_lines(diff)
            line = item.mutations[0].start_pos[0]
            print(f"  survived line {line} {operator}\n    - {before}\n    + {after}")
    print(
        f"{name}: {figures['total']} mutants, {figures['killed']} killed, "
        f"{figures['survived']} survived, {figures['equivalent']} equivalent, "
        f"{figures['annotation']} in annotations, {figures['incompetent']} incompetent "
        f"-> {figures['score']} % of the "
        "non-equivalent valid mutants killed"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="*", help="default: every service with a domain")
    parser.add_argument("--module", help="one module, e.g. customer/domain/card.py")
    parser.add_argument("--timeout", type=float, help="seconds per test run")
    parser.add_argument("--target", type=float, default=95.0, help="percent (default 95)")
    parser.add_argument("--list", action="store_true", help="print every surviving mutant")
    parser.add_argument(
        "--report", action="store_true", help="only summarise the last sessions in var/mutate"
    )
    args = parser.parse_args(argv)
    os.nice(10)  # CPU-bound for minutes on a machine others share
    services = args.services or services_with_domain()
    below = []
    for service in services:
        modules = domain_modules(service)
        if args.module:
            modules = [m for m in modules if m.as_posix() == args.module]
        if not modules:
            raise SystemExit(f"{service}: no domain module {args.module or ''}")
        for module in modules:
            if args.report:
                figures = summarise(service, module, session_path(service, module), args.list)
            else:
                figures = run_module(service, module, args.timeout, args.list)
            if figures["score"] < args.target:
                below.append(f"services/{service}/{module.as_posix()}")
    if below:
        print(f"under {args.target} %: " + ", ".join(below))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
