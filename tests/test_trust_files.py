"""Only the user's own text files are read, and what they typed is what they get.

Links, unreadable folders, pipes and devices, Office files and misfiled items in
actions/ are each named plainly; odd characters in the text do not move line
numbers or turn text into YAML machinery.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run

from psa_report.loader import load_text
from psa_report.problems import Invalid

GAP = ("ref: {ref}\ngap: {gap}\nlead: SBC\naction: Check the records.\n"
       "update: {update}\nstatus: {status}\n")


def gap_text(ref="3.2.1", gap="Ages are not recorded.", update="Agreed.",
             status="on track") -> str:
    return GAP.format(ref=ref, gap=gap, update=update, status=status)


def check(runner, project: Path):
    result = run(runner, "check", "--project", str(project))
    assert "Traceback" not in result.output
    return result


# ------------------------------------------------- 4. `=` and `<<` are plain text

def test_a_value_that_is_just_equals_or_chevrons_is_text():
    doc = load_text("update: =\naction: <<\nlead:\n  - =\n  - <<\n", "x.yaml")
    assert doc.data == {"update": "=", "action": "<<", "lead": ["=", "<<"]}


def test_a_merge_key_and_an_explicit_tag_are_still_refused():
    for text in ("base: &b {lead: SBC}\n<<: *b\n", "update: !!value =\n"):
        try:
            load_text(text, "x.yaml")
        except Invalid as invalid:
            assert "not allowed" in str(invalid)
        else:  # pragma: no cover
            raise AssertionError(f"accepted: {text!r}")


def test_check_accepts_an_update_of_just_equals(runner, project):
    path = project / "actions/data-gaps/3.2.1.yaml"
    path.write_text(gap_text(update="="), encoding="utf-8")
    result = check(runner, project)
    assert result.exit_code == 0, result.output


# ------------------------------------- 5. Unicode line separators do not move lines

def test_line_separators_in_text_do_not_move_later_line_numbers(runner, project):
    path = project / "actions/data-gaps/3.2.1.yaml"
    path.write_text("# Ages, as the assessment put it\n"
                    "ref: 3.2.1\n"
                    "gap: Ages\u2028are not\u2029recorded\x85at all.\n"  # line 3
                    "lead: SBC\n"
                    "action: Check the records.\n"
                    "status: sideways\n"  # line 6
                    "update: Agreed.\n", encoding="utf-8")
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.startswith("actions/data-gaps/3.2.1.yaml:6:9: status:"), result.stderr

    from psa_report.loader import load_file

    gap = load_file(path).data["gap"]
    assert gap == "Ages\u2028are not\u2029recorded\x85at all."


def test_line_separators_come_back_exactly_in_the_data():
    text = 'gap: Ages\u2028are\x85not recorded\nquoted: "a\u2029b"\nlate: x\u2028\n'
    doc = load_text(text, "x.yaml")
    assert doc.data == {"gap": "Ages\u2028are\x85not recorded", "quoted": "a\u2029b",
                        "late": "x\u2028"}
    assert doc.mark(("late",)) == (3, 7)


def test_a_placeholder_character_already_in_the_text_is_kept_too():
    text = "gap: a\ue000b\u2028c\n"
    assert load_text(text, "x.yaml").data == {"gap": "a\ue000b\u2028c"}


# ------------------------------------------------- 1. links: inside yes, outside no

def test_a_linked_data_gaps_folder_inside_the_project_is_read(runner, project):
    (project / "actions/data-gaps").rename(project / "shared-gaps")
    (project / "actions/data-gaps").symlink_to("../shared-gaps")
    result = check(runner, project)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 10 data gaps, 5 recommendations")


def test_a_linked_data_gaps_folder_outside_the_project_is_refused(runner, project):
    outside = project.parent / "elsewhere"
    (project / "actions/data-gaps").rename(outside)
    (project / "actions/data-gaps").symlink_to(outside)
    result = check(runner, project)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"actions/data-gaps: this link points to {outside.resolve()}, "
                            "outside the project folder"), first
    assert "copy the files into the project" in first
    assert "0 data gaps" not in result.output


def test_a_linked_actions_folder_is_followed_inside_and_refused_outside(runner, project):
    (project / "source").mkdir()
    (project / "actions").rename(project / "source/actions")
    (project / "actions").symlink_to("source/actions", target_is_directory=True)
    assert check(runner, project).exit_code == 0

    (project / "actions").unlink()
    (project / "source/actions").rename(project.parent / "actions-elsewhere")
    (project / "actions").symlink_to(project.parent / "actions-elsewhere")
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.startswith("actions: this link points to "), result.stderr
    assert "outside the project folder" in result.stderr


def test_linked_files_are_followed_inside_and_refused_outside(runner, project):
    gaps = project / "actions/data-gaps"
    (project / "drafts").mkdir()
    (gaps / "3.2.1.yaml").rename(project / "drafts/3.2.1.yaml")
    (gaps / "3.2.1.yaml").symlink_to("../../drafts/3.2.1.yaml")
    (gaps / "3.2.2.yaml").rename(project.parent / "3.2.2.yaml")
    (gaps / "3.2.2.yaml").symlink_to(project.parent / "3.2.2.yaml")
    (gaps / "3.2.9.yaml").symlink_to("gone.yaml")  # dangling
    result = check(runner, project)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("actions/data-gaps/3.2.2.yaml: this link points to ")
    assert "outside the project folder" in lines[0]
    assert lines[1] == ("actions/data-gaps/3.2.9.yaml: this link points to gone.yaml, which "
                        "does not exist (a broken link): remove it, or put the files "
                        "themselves here")
    assert lines[2:] == ["2 problems found; nothing was changed."]  # 3.2.1 was read


def test_a_refused_report_yaml_is_not_also_called_missing(runner, project):
    outside = project.parent / "report.yaml"
    (project / "actions/report.yaml").rename(outside)
    (project / "actions/report.yaml").symlink_to(outside)
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"actions/report.yaml: this link points to {outside.resolve()}, outside the project "
        "folder, so it is not read: copy the files into the project instead of linking to "
        "them (the report must be made from the project's own files)",
        "1 problem found; nothing was changed."]


# Run in another process, with a time limit, so that a regression fails the test
# rather than hanging it (and with a memory limit, in case it reads /dev/zero).
def check_in_a_subprocess(project: Path, seconds: float = 20):
    import resource
    import subprocess
    import sys

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "psa_report", "check", "--project",
                           str(project)], capture_output=True, text=True, timeout=seconds,
                          preexec_fn=limit_memory, cwd=Path(__file__).parent.parent)


def test_link_loops_are_reported_not_followed_for_ever(project):
    gaps = project / "actions/data-gaps"
    (gaps / "again").symlink_to("..")  # actions/ inside itself
    (gaps / "round").symlink_to("about")  # round -> about -> round
    (gaps / "about").symlink_to("round")
    done = check_in_a_subprocess(project)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[:-1] == [
        "actions/data-gaps/about: this link leads round a loop of links and never reaches "
        "a file or folder: remove it",
        "actions/data-gaps/again: this is the same folder as actions: a link leads from one "
        "to the other (a link to a folder above it makes a loop), so it is read only once: "
        "remove the link",
        "actions/data-gaps/round: this link leads round a loop of links and never reaches "
        "a file or folder: remove it",
    ]


# ----------------------------------------- 2. a folder that cannot be read is an error

def refuse_to_list(monkeypatch, folder: Path) -> None:
    """Make listing ``folder`` fail as chmod 000 would (root may read anything)."""
    import os

    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_named_not_counted_as_empty(runner, project, monkeypatch):
    refuse_to_list(monkeypatch, project / "actions/recommendations")
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "actions/recommendations: this folder cannot be read (Permission denied), so its "
        "files would be left out: give yourself permission to read it, or move it out of "
        "actions/",
        "1 problem found; nothing was changed."]


def test_an_unreadable_actions_folder_is_named(runner, project, monkeypatch):
    refuse_to_list(monkeypatch, project / "actions")
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "actions: this folder cannot be read (Permission denied), so its files would be "
        "left out: give yourself permission to read it, or move it out of actions/",
        "1 problem found; nothing was changed."]  # and not "report.yaml is missing"


# --------------------------------------------------- 3. only regular files are read

def test_pipes_sockets_and_devices_are_refused_without_being_read(project):
    import os
    import socket

    gaps = project / "actions/data-gaps"
    os.mkfifo(gaps / "3.2.6.yaml")  # reading it would wait for ever
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(gaps / "3.2.7.yaml"))
    (gaps / "3.2.8.yaml").symlink_to("/dev/zero")  # reading it would never end
    (gaps / "3.2.9.yaml").symlink_to("/dev/urandom")
    try:
        done = check_in_a_subprocess(project)
    finally:
        listener.close()
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == ("actions/data-gaps/3.2.6.yaml: this is a named pipe (FIFO), not an "
                        "ordinary file, so it was not read: remove it from actions/ (only "
                        ".yaml text files belong there)")
    assert lines[1].startswith("actions/data-gaps/3.2.7.yaml: this is a socket, not an ")
    assert lines[2].startswith("actions/data-gaps/3.2.8.yaml: this link points to /dev/zero")
    assert lines[3].startswith("actions/data-gaps/3.2.9.yaml: this link points to "
                               "/dev/urandom")
    assert lines[4:] == ["4 problems found; nothing was changed."]


def test_load_file_opens_nothing_but_a_regular_file(tmp_path, monkeypatch):
    import io
    import os

    import pytest

    from psa_report.loader import load_file

    def no_open(*args, **kwargs):
        raise AssertionError(f"opened {args[0]}")

    os.mkfifo(tmp_path / "pipe.yaml")
    monkeypatch.setattr(os, "open", no_open)
    monkeypatch.setattr(io, "open", no_open)  # what pathlib's read_bytes() calls
    with pytest.raises(Invalid) as invalid:
        load_file(tmp_path / "pipe.yaml", "pipe.yaml")
    assert str(invalid.value) == ("pipe.yaml: this is a named pipe (FIFO), not an ordinary "
                                  "file, so it was not read: remove it from actions/ (only "
                                  ".yaml text files belong there)")


def test_a_file_is_read_no_further_than_the_limit_whatever_its_size_says(tmp_path,
                                                                           monkeypatch):
    import os
    import tracemalloc

    from psa_report import loader

    big = tmp_path / "big.yaml"
    with open(big, "wb") as file:
        file.truncate(64 << 20)  # 64 MB of zeros, sparse on disk

    def lie(real):  # says the file is 100 bytes, as a file still growing might
        def stat(target, *args, **kwargs):
            result = real(target, *args, **kwargs)
            if result.st_ino == os.lstat(big).st_ino:
                return os.stat_result(result[:6] + (100,) + result[7:])
            return result
        return stat

    monkeypatch.setattr(os, "stat", lie(os.stat))
    monkeypatch.setattr(os, "fstat", lie(os.fstat))
    tracemalloc.start()
    try:
        loader.load_file(big, "big.yaml")
    except Invalid as invalid:
        message = str(invalid)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert "over the limit" in message
    assert peak < 4 * loader.MAX_FILE_BYTES


# ------------------------- 6. a heading's section has files, even if they are invalid

SECTIONS = '\nsections:\n  "3.2": Victims\n  "4.2": Offenders\n'


def test_invalid_gaps_do_not_make_their_section_heading_look_unused(runner, project):
    with open(project / "actions/report.yaml", "a", encoding="utf-8") as report:
        report.write(SECTIONS)
    for ref in ("4.2.1", "4.2.2", "4.2.3"):
        (project / f"actions/data-gaps/{ref}.yaml").write_text(
            gap_text(ref=ref, status="sideways"), encoding="utf-8")
    result = check(runner, project)
    assert result.exit_code == 1
    assert "no data gap is in section" not in result.stderr, result.stderr
    assert result.stderr.splitlines()[-1] == "3 problems found; nothing was changed."


def test_a_heading_with_no_file_at_all_is_still_reported(runner, project):
    with open(project / "actions/report.yaml", "a", encoding="utf-8") as report:
        report.write(SECTIONS)
    for ref in ("4.2.1", "4.2.2", "4.2.3"):
        (project / f"actions/data-gaps/{ref}.yaml").unlink()
    result = check(runner, project)
    assert "sections: no data gap is in section 4.2, so its heading" in result.output


# ------------------------------------ 7. Office lock files, Office files, misfiling

def test_office_lock_files_are_ignored(runner, project):
    (project / "actions/data-gaps/~$notes.docx").write_bytes(b"\x0bJ\x00o\x00")
    (project / "actions/recommendations/~$budget.xlsx").write_bytes(b"\x00" * 162)
    (project / "actions/.~lock.report.yaml#").write_text("x,host,1;", encoding="utf-8")
    result = check(runner, project)
    assert result.exit_code == 0, result.output


def office_zip(part: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as document:
        document.writestr("[Content_Types].xml", "<Types/>")
        document.writestr(part, "<document>ref: 3.2.6</document>")
    return buffer.getvalue()


def test_office_documents_renamed_to_yaml_are_named_as_such(runner, project):
    gaps = project / "actions/data-gaps"
    (gaps / "3.2.6.yaml").write_bytes(office_zip("word/document.xml"))
    (gaps / "3.2.7.yaml").write_bytes(office_zip("xl/workbook.xml"))
    (gaps / "3.2.8.yml").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    result = check(runner, project)
    assert result.exit_code == 1
    fix = ("not a YAML file: an action file is plain text. Copy its fields into a file made "
           "in a text editor (such as Notepad) and saved as .yaml, and move this document "
           "out of actions/")
    assert result.stderr.splitlines() == [
        f"actions/data-gaps/3.2.6.yaml:1:1: this is a Word document, {fix}",
        f"actions/data-gaps/3.2.7.yaml:1:1: this is an Excel workbook, {fix}",
        "actions/data-gaps/3.2.8.yml:1:1: this is an old-style Word or Excel document "
        f"(.doc or .xls), {fix}",
        "3 problems found; nothing was changed."]


def test_a_recommendation_in_data_gaps_is_told_where_it_belongs(runner, project):
    (project / "actions/recommendations/R1.yaml").rename(project / "actions/data-gaps/R1.yaml")
    (project / "actions/data-gaps/3.2.1.yaml").rename(
        project / "actions/recommendations/3.2.1.yaml")
    (project / "actions/data-gaps/4.2.1.yaml").write_text(
        "recommendation: Map the hot spots.\nupdate: Begun.\nstatus: on track\n",
        encoding="utf-8")
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "actions/data-gaps/4.2.1.yaml:1:1: this is a recommendation (it has a "
        "`recommendation:` field), but it is saved in actions/data-gaps/: move the file to "
        "actions/recommendations/",
        "actions/data-gaps/R1.yaml:2:6: this is a recommendation (its ref is R1), but it is "
        "saved in actions/data-gaps/: move the file to actions/recommendations/",
        "actions/recommendations/3.2.1.yaml:2:6: this is a data gap (its ref is 3.2.1), but "
        "it is saved in actions/recommendations/: move the file to actions/data-gaps/",
        "3 problems found; nothing was changed."]
