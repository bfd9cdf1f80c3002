"""Rules are traceable: every cited id is a rule of docs/rules.md, and ``make rules``
(deploy/rules.py) lists per rule the code and tests that cite it, flagging code
without a test."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIGEST = REPO.parent / "shared" / "DOMAIN.md"


def _load_rules_script():
    spec = importlib.util.spec_from_file_location("aftersales_rules", REPO / "deploy" / "rules.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


rules = _load_rules_script()


# --- the repository ------------------------------------------------------------
def test_docs_rules_holds_every_rule_of_the_digest():
    counts = {"C": 11, "P": 12, "R": 6, "F": 7, "X": 3}
    expected = [f"{family}{n}" for family, last in counts.items() for n in range(1, last + 1)]
    assert list(rules.load_rules(REPO / "docs" / "rules.md")) == expected


@pytest.mark.skipif(not DIGEST.exists(), reason="the team's digest is not beside this checkout")
def test_docs_rules_is_the_digest_verbatim():
    vendored = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert vendored.endswith(DIGEST.read_text(encoding="utf-8"))


def test_every_cited_id_is_a_rule_of_docs_rules():
    found = rules.index(REPO)
    assert found.unknown == {}, f"cited ids that are no rule of docs/rules.md: {found.unknown}"


def test_rule_ids_are_cited_in_the_one_form():
    """'rule P6', one id each: a range, a plural or a bare id escapes a grep for it."""
    loose = rules.index(REPO).loose
    assert loose == [], "write these as 'rule <id>', one id each:\n" + "\n".join(loose)


def test_make_rules_prints_every_rule():
    result = subprocess.run(
        ["make", "-s", "rules"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    printed = {line.split()[0] for line in result.stdout.splitlines() if line[:1].isupper()}
    assert set(rules.load_rules(REPO / "docs" / "rules.md")) <= printed


# --- the script, on a small tree ---------------------------------------------------
# The fixture writes rule ids in lower case (so that this file cites none of them);
# ``real`` makes them ids.
def real(text: str) -> str:
    return re.sub(r"\b([cprfx]\d+)\b", lambda match: match.group(1).upper(), text)


DIGEST_FIXTURE = """\
# A digest
- **c1 Card (客户资料卡).** Name and nature.
- **p1 Channels.** phone, email.
- **p2 Registration.** the form.
- **x1** Each service owns its database; no service reads another's tables.
"""
CODE = """\
CHANNELS = ("phone", "email")  # rule p1
def card():  # rule c1
    "A card (c1)."
"""
TEST = """\
def test_card():  # rule c1
    assert card()
def test_nonsense():  # rule x9
    pass
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    files = {
        "docs/rules.md": DIGEST_FIXTURE,
        "services/shop/shop/domain.py": CODE,
        "services/shop/tests/unit/test_domain.py": TEST,
        "services/shop/shop/migrations/README.md": "rule p2 is only prose here\n",
        "gateway/.venv/lib/site.py": "# rule p2\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(real(text), encoding="utf-8")
    return tmp_path


def _block(lines: list[str], rule_id: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [real(rule_id)])
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("     "):
            break
        block.append(line)
    return block


def test_a_rule_with_code_and_tests_lists_both(tree):
    lines = rules.report(rules.index(tree))
    assert _block(lines, "c1") == [
        real("c1   Card (客户资料卡)"),
        "     code:  services/shop/shop/domain.py:2",
        "     tests: services/shop/tests/unit/test_domain.py:1",
    ]


def test_a_rule_with_code_but_no_test_is_flagged(tree):
    lines = rules.report(rules.index(tree))
    head, code = _block(lines, "p1")
    assert re.search(r"no test", head), head
    assert code == "     code:  services/shop/shop/domain.py:1"


def test_a_rule_nobody_cites_is_not_built_and_not_flagged(tree):
    """Prose (.md) and the virtualenv are not scanned; a title is the bold text or, for a
    rule whose bold text is only its id, its first clause."""
    lines = rules.report(rules.index(tree))
    assert _block(lines, "p2") == [real("p2   Registration  -- not built yet")]
    assert _block(lines, "x1") == [real("x1   Each service owns its database  -- not built yet")]
    flagged = [line for line in lines if re.search(r"no test|untested", line)]
    assert flagged == _block(lines, "p1")[:1]


def test_an_id_that_is_no_rule_is_reported_and_fails(tree, capsys):
    found = rules.index(tree)
    assert found.unknown == {real("x9"): ["services/shop/tests/unit/test_domain.py:3"]}
    assert rules.main(["--root", str(tree)]) == 1
    assert real("x9: services/shop/tests/unit/test_domain.py:3") in capsys.readouterr().out


def test_ids_in_another_form_are_listed(tree):
    found = rules.index(tree)
    assert found.loose == [real('services/shop/shop/domain.py:3: "A card (c1)."')]


def test_the_tree_without_unknown_ids_passes(tree, capsys):
    test_file = tree / "services/shop/tests/unit/test_domain.py"
    test_file.write_text(real(TEST.replace("x9", "x1")), encoding="utf-8")
    assert rules.main(["--root", str(tree)]) == 0
    out = capsys.readouterr().out
    assert real("x1   Each service owns its database  -- cited by tests only\n") in out
    assert "not rules of" not in out
