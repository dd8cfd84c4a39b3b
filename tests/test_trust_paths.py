"""Files named on the command line go through the same bounded reader as actions/:
only a regular file is opened (a FIFO or a device is refused by what it is, without
being opened), and never more than its limit is read."""

from __future__ import annotations

import os

import pytest
from conftest import run

COMMANDS = {
    "docx-template": lambda project, path: ("build", "--format", "docx", "--docx-template",
                                            path, "--project", str(project)),
    "import": lambda project, path: ("import", path, "--project", str(project)),
    "set --update-file": lambda project, path: ("set", "3.2.1", "--update-file", path,
                                                "--project", str(project)),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind, what", [("fifo", "a named pipe (FIFO)"),
                                        ("/dev/zero", "a device")])
def test_a_pipe_or_device_named_on_the_command_line_is_refused_unopened(
        runner, project, tmp_path, command, kind, what):
    if kind == "fifo":
        path = str(tmp_path / "pipe")
        os.mkfifo(path)  # opening it to read would wait for a writer for ever
    else:
        path = kind  # reading it would never end
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run(runner, *COMMANDS[command](project, path))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"{path}: this is {what}, not an ordinary file, "
                                    "so it was not read"), result.stderr
    assert "internal error" not in result.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


@pytest.mark.parametrize("command, size, message", [
    ("docx-template", 50 * 1024 * 1024 + 1, "is over 50 MB, too large for a Word template"),
    ("import", 4 * 1024 * 1024 + 1, "over the limit of 4,194,304 bytes for one import"),
    ("set --update-file", 64 * 1024 + 1, "is over 65,536 bytes"),
])
def test_a_file_named_on_the_command_line_is_read_no_further_than_its_limit(
        runner, project, tmp_path, command, size, message):
    path = tmp_path / "big"
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: no disk used
    result = run(runner, *COMMANDS[command](project, str(path)))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"{path}: "), result.stderr
    assert message in result.stderr, result.stderr


def test_a_pipe_named_as_docx_template_in_report_yaml_is_refused_unopened(runner, project):
    os.mkfifo(project / "council.docx")
    report = project / "actions/report.yaml"
    report.write_text(report.read_text() + "docx_template: council.docx\n")
    line = len(report.read_text().splitlines())
    result = run(runner, "build", "--format", "docx", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f"actions/report.yaml:{line}:16: docx_template: 'council.docx': this is a named pipe "
        "(FIFO), not an ordinary file, so it was not read"), result.stderr
