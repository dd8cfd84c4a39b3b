"""The bad-input corpus: every file in tests/bad-input/ is one mistake a person could make.

A case file is a few header lines, then ``---``, then the exact bytes of the file
to put into a copy of the shipped project::

    # what: A misspelt field name
    # target: actions/data-gaps/3.2.5.yaml      (REMOVE as the content deletes it)
    # exit: 1                                   (optional; 1 is the default)
    # pad-to-bytes: 300000                      (optional: grow the file with a comment)
    # expect: actions/data-gaps/3.2.5.yaml:3:1: unknown field 'leed'. ...
    ---
    ref: 3.2.5
    ...

``check`` must exit with the given status, print exactly the ``expect`` lines (and
the count line) on stderr, and never a traceback.  ``build --format html`` must
refuse the same input the same way and write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run

CASES = Path(__file__).parent / "bad-input"


def parse_case(path: Path) -> dict:
    raw = path.read_bytes()
    head, content = raw.split(b"\n---\n", 1)
    case = {"expect": [], "exit": 1, "content": content}
    for line in head.decode("utf-8").splitlines():
        key, _, value = line.removeprefix("# ").partition(": ")
        if key == "expect":
            case["expect"].append(value)
        elif key in ("exit", "pad-to-bytes"):
            case[key] = int(value)
        else:
            case[key] = value
    if "pad-to-bytes" in case:
        missing = case["pad-to-bytes"] - len(content)
        case["content"] = content + b"#" + b"x" * missing + b"\n"
    return case


def apply(project: Path, case: dict) -> None:
    target = project / case["target"]
    if case["content"].strip() == b"REMOVE":
        target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case["content"])


def test_the_corpus_is_big_enough():
    cases = [parse_case(p) for p in CASES.glob("*.case")]
    assert len([c for c in cases if c["exit"] == 1]) >= 30
    assert all(c["expect"] for c in cases), "every case states the exact message"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.case")), ids=lambda p: p.stem)
def test_bad_input(path, runner, project):
    case = parse_case(path)
    apply(project, case)
    result = run(runner, "check", "--project", str(project))
    assert "Traceback" not in result.output
    assert result.exit_code == case["exit"], result.output
    if case["exit"] == 0:
        assert result.stdout.splitlines() == case["expect"]
        return
    lines = result.stderr.splitlines()
    assert lines[:-1] == case["expect"]
    count = len(case["expect"])
    assert lines[-1] == f"{count} problem{'s' if count != 1 else ''} found; nothing was changed."
    # Every message says where: a file, and a line wherever the file could be read.
    for line in case["expect"]:
        assert line.startswith("actions/")

    built = run(runner, "build", "--project", str(project), "--format", "html")
    assert built.exit_code == 1
    assert built.stderr == result.stderr
    assert not (project / "out").exists()
