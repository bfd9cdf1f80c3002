"""Which code and which tests cite each business rule: ``make rules``.

The rule ids come from ``docs/rules.md`` (the vendored domain digest; a rule is a
bullet that starts with its bold id). A citation is the word ``rule``, one space and
one id, in any source file under services/, libs/, gateway/, deploy/, bench/ and
tests/ (a file under a ``tests`` folder, or named ``test_*``/``conftest.py``, is a
test; the rest is code). For every rule it prints the code and the tests that cite it
(``path:line,line``); a rule cited by code but by no test is flagged "no test", one
cited by neither is "not built yet".

Also listed, after the rules: cited ids that are no rule of docs/rules.md (the exit
status is then 1) and ids written in another form (a range, a plural, a bare id)
that a grep for the one form would miss.

    python deploy/rules.py [--root DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RULES_FILE = Path("docs/rules.md")
SCANNED = ("services", "libs", "gateway", "deploy", "bench", "tests")
SUFFIXES = {".py", ".toml", ".sh", ".yml", ".yaml", ".sql", ".mako", ".cfg", ".ini"}
NAMES = {"Makefile", "Dockerfile"}
SKIPPED_DIRS = {".venv", "__pycache__", "node_modules", "results", ".git"}

# A rule of the digest: a bullet whose bold text starts with the id (and a title).
RULE_LINE = re.compile(r"^- \*\*([CPRFX]\d+)\b\s*([^*]*)\*\*\s*(.*)$")
# The one citation form.
CITATION = re.compile(r"(?<![\w-])rule ([A-Z]\d+)\b")
# Anything shaped like a rule id; those not preceded by "rule " are loose citations.
ID_SHAPED = re.compile(r"(?<![\w-])[CPRFX][1-9]\d?(?![\w])")


@dataclass
class Rule:
    id: str
    title: str
    code: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    tests: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Index:
    rules: dict[str, Rule]
    unknown: dict[str, list[str]]  # id -> ["path:line", ...]
    loose: list[str]  # "path:line: text"


def load_rules(path: Path) -> dict[str, Rule]:
    """The rules of the digest, in its order, with a short title each."""
    rules: dict[str, Rule] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = RULE_LINE.match(line)
        if match:
            rule_id, title, rest = match.groups()
            title = title.strip().rstrip(".") or _first_words(rest)
            rules[rule_id] = Rule(rule_id, title)
    return rules


def _first_words(text: str) -> str:
    """A title for a rule whose bold text is only its id: its first clause."""
    clause = re.split(r"[;:.]", text, maxsplit=1)[0].strip()
    if len(clause.split()) > 12:
        clause = clause.split(",")[0]
    return clause


def is_test(relative: Path) -> bool:
    return (
        "tests" in relative.parts[:-1]
        or relative.name.startswith("test_")
        or relative.name == "conftest.py"
    )


def source_files(root: Path) -> list[Path]:
    found = []
    for top in SCANNED:
        base = root / top
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            relative = path.relative_to(root)
            if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts):
                continue
            if path.is_file() and (path.suffix in SUFFIXES or path.name in NAMES):
                found.append(path)
    return sorted(found)


def index(root: Path) -> Index:
    """Every citation under ``root``, by rule."""
    rules = load_rules(root / RULES_FILE)
    unknown: dict[str, list[str]] = defaultdict(list)
    loose: list[str] = []
    for path in source_files(root):
        relative = path.relative_to(root)
        name = relative.as_posix()
        test = is_test(relative)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in CITATION.finditer(line):
                rule = rules.get(match.group(1))
                if rule is None:
                    unknown[match.group(1)].append(f"{name}:{number}")
                else:
                    (rule.tests if test else rule.code)[name].append(number)
            for match in ID_SHAPED.finditer(line):
                if line[: match.start()].endswith("rule "):
                    continue
                loose.append(f"{name}:{number}: {line.strip()}")
                break
    return Index(rules, dict(unknown), loose)


def _places(cited: dict[str, list[int]]) -> str:
    return "; ".join(
        f"{name}:{','.join(str(n) for n in sorted(set(lines)))}"
        for name, lines in sorted(cited.items())
    )


def report(found: Index) -> list[str]:
    """The lines ``make rules`` prints."""
    lines = []
    counts = {"tested": 0, "code only": 0, "not built": 0}
    for rule in found.rules.values():
        head = f"{rule.id:<4} {rule.title}"
        if rule.code and rule.tests:
            counts["tested"] += 1
        elif rule.code:
            counts["code only"] += 1
            head += "  -- no test"
        elif rule.tests:
            counts["tested"] += 1
            head += "  -- cited by tests only"
        else:
            counts["not built"] += 1
            head += "  -- not built yet"
        lines.append(head)
        if rule.code:
            lines.append(f"     code:  {_places(rule.code)}")
        if rule.tests:
            lines.append(f"     tests: {_places(rule.tests)}")
    lines.append("")
    lines.append(
        f"{len(found.rules)} rules: {counts['tested']} cited by tests, "
        f"{counts['code only']} by code alone, {counts['not built']} not built yet"
    )
    if found.unknown:
        lines.append("")
        lines.append(f"cited ids that are not rules of {RULES_FILE}:")
        for rule_id, places in sorted(found.unknown.items()):
            lines.append(f"  {rule_id}: {', '.join(places)}")
    if found.loose:
        lines.append("")
        lines.append("ids not in the one citation form ('rule' and one id each):")
        lines.extend(f"  {place}" for place in found.loose)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository (default: this)")
    args = parser.parse_args(argv)
    found = index(args.root)
    print("\n".join(report(found)))
    return 1 if found.unknown else 0


if __name__ == "__main__":
    sys.exit(main())
