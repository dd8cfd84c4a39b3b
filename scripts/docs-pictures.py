#!/usr/bin/env python3
"""The user guide's pictures, made from the shipped plan so they never go stale.

    python scripts/docs-pictures.py                   # writes docs/img/*.png (make docs)
    python scripts/docs-pictures.py --out DIR
    python scripts/docs-pictures.py --placeholders    # a blank PNG for each name, in seconds

It copies actions/ into a temporary folder (the repository's own out/ and actions/ are
never touched), runs psa-report there as a user would, and photographs what it made:

- pages of the printed report: pdftoppm (poppler-utils) at 60 dpi;
- a partner's update workbook: LibreOffice prints the .xlsx as PDF, then pdftoppm;
- the live preview, as the report and as the list of problems: Debian's headless
  Chromium screenshots the page `psa-report serve` serves.

The pages are found by the headings on them, not by number, so a report that grows a page
still gives the right pictures. PICTURES names every file; the guide's pages link to
them, and tests/test_docs.py checks that the two lists agree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# name -> what it shows
PICTURES = {
    "report-cover.png": "the covering page of the printed report",
    "report-exceptions.png": "the exceptions page",
    "report-table.png": "the first page of the data requirements tables",
    "report-recommendations.png": "the recommendations",
    "report-summary.png": "the status summary",
    "report-progress.png": "progress across meetings, after three meetings",
    "report-directions.png": "a data requirements page showing the direction of travel",
    "workbook-instructions.png": "the first sheet of a partner's update workbook",
    "workbook-updates.png": "the Updates sheet of a partner's update workbook",
    "preview.png": "the live preview in a browser",
    "preview-problems.png": "the live preview while a file has a mistake",
}


class Failed(Exception):
    pass


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        package = {"pdftoppm": "poppler-utils", "pdftotext": "poppler-utils",
                   "soffice": "libreoffice-calc", "chromium": "chromium"}[name]
        raise Failed(f"{name} is not installed: sudo apt-get install {package}")
    return found


def run(*args: str | Path, cwd: Path | None = None, timeout: float = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=ENV)
    if done.returncode != 0:
        raise Failed(f"{' '.join(map(str, args))} failed ({done.returncode}):\n"
                     f"{done.stdout}{done.stderr}")
    return done.stdout


ENV = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "analyst@example.org",
       "GIT_COMMITTER_NAME": "Analyst", "GIT_COMMITTER_EMAIL": "analyst@example.org"}

PSA = [sys.executable, "-m", "psa_report"]


def psa(project: Path, *args: str | Path) -> str:
    return run(*PSA, *args, "--project", project)


def git(project: Path, *args: str, when: str | None = None) -> None:
    env = dict(ENV)
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when}T12:00:00+00:00"
    done = subprocess.run(["git", "-C", str(project), *args], capture_output=True,
                          text=True, env=env)
    if done.returncode != 0:
        raise Failed(f"git {' '.join(args)}: {done.stderr}")


def copy_plan(where: Path) -> Path:
    project = where / "plan"
    shutil.copytree(REPO / "actions", project / "actions")
    return project


def pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF."""
    text = run(tool("pdftotext"), "-layout", pdf, "-")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def page_with(pdf: Path, heading: str) -> int:
    """The number (from 1) of the first page with a line starting with ``heading``."""
    for number, text in enumerate(pages(pdf), start=1):
        if any(line.strip().startswith(heading) for line in text.splitlines()):
            return number
    raise Failed(f"no page of {pdf.name} has a line starting {heading!r}")


def photograph(pdf: Path, number: int, target: Path, dpi: int = 60) -> None:
    stem = target.with_suffix("")
    run(tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(number), "-l", str(number),
        "-singlefile", pdf, stem)


def trim(target: Path, margin: int = 12) -> None:
    """Cut the white paper around what is printed (a workbook fills a corner of its page)."""
    from PIL import Image, ImageChops  # Pillow comes with WeasyPrint

    with Image.open(target) as picture:
        rgb = picture.convert("RGB")
    box = ImageChops.difference(rgb, Image.new("RGB", rgb.size, "white")).getbbox()
    if box:
        left, top, right, bottom = box
        rgb.crop((max(left - margin, 0), max(top - margin, 0),
                  min(right + margin, rgb.width), min(bottom + margin, rgb.height))).save(target)


def report_pictures(where: Path, out: Path) -> None:
    project = copy_plan(where)
    psa(project, "build", "--format", "pdf", "--out", where / "report")
    pdf = where / "report" / "progress-report.pdf"
    photograph(pdf, 1, out / "report-cover.png")
    for heading, name in (("Exceptions", "report-exceptions.png"),
                          ("Data requirements", "report-table.png"),
                          ("Recommendations", "report-recommendations.png"),
                          ("Status summary", "report-summary.png")):
        photograph(pdf, page_with(pdf, heading), out / name)


def meetings_plan(where: Path) -> Path:
    """The shipped plan sent to June's meeting (tag ssp-2010-06-28), the September round of
    updates sent to the next (ssp-2010-09-27, annotated "2010-09-27 Safer Stockton
    Partnership"), then the December round, not yet sent.
    The guide's examples of `changes` and `progress` are from this plan."""
    project = where / "meetings"
    shutil.copytree(REPO / "actions", project / "actions")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan as sent to the June meeting", when="2010-06-28")
    git(project, "tag", "ssp-2010-06-28")
    psa(project, "set", "3.2.1", "--status", "on track")
    psa(project, "set", "R1", "--status", "on track")
    psa(project, "set", "3.2.3", "--status", "at risk")
    git(project, "commit", "-q", "-am", "September updates", when="2010-09-20")
    # Annotated: the words after the date name the meeting in the report.
    git(project, "tag", "-a", "-m", "2010-09-27 Safer Stockton Partnership", "ssp-2010-09-27",
        when="2010-09-20")
    psa(project, "set", "3.2.2", "--status", "at risk")
    psa(project, "set", "3.2.3", "--status", "on track")
    psa(project, "set", "3.2.4", "--status", "off track")
    report = project / "actions" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("date: 2010-06-28", "date: 2010-12-06", 1), encoding="utf-8")
    git(project, "commit", "-q", "-am", "December updates", when="2010-12-06")
    return project


def meetings_pictures(where: Path, out: Path) -> None:
    project = meetings_plan(where)
    psa(project, "build", "--format", "pdf", "--out", where / "meetings-report")
    pdf = where / "meetings-report" / "progress-report.pdf"
    photograph(pdf, page_with(pdf, "Progress across meetings"), out / "report-progress.png")
    photograph(pdf, page_with(pdf, "Data requirements"), out / "report-directions.png")


def workbook_pictures(where: Path, out: Path) -> None:
    project = copy_plan(where / "workbooks")
    requests = where / "requests"
    reply_by = date.today() + timedelta(days=28)  # a reply-by date is never before today
    psa(project, "requests", "--reply-by", f"{reply_by:%d/%m/%Y}", "--lead", "Police",
        "--out", requests)
    workbook = requests / "Police-update-request.xlsx"
    profile = where / "libreoffice-profile"
    run(tool("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless",
        "--norestore", "--convert-to", "pdf", "--outdir", where / "workbook-pdf", workbook)
    pdf = where / "workbook-pdf" / "Police-update-request.pdf"
    photograph(pdf, 1, out / "workbook-instructions.png", dpi=80)
    photograph(pdf, page_with(pdf, "Ref"), out / "workbook-updates.png", dpi=80)
    trim(out / "workbook-instructions.png")
    trim(out / "workbook-updates.png")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own server)
        return answer.read().decode("utf-8")


def wait_for(url: str, words: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            if words in fetch(url):
                return
        except OSError:
            pass
        if time.monotonic() > end:
            raise Failed(f"{url} did not show {words!r} within {seconds:.0f} s")
        time.sleep(0.2)


def screenshot(where: Path, url: str, target: Path, width: int = 1100, height: int = 820) -> None:
    run(tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--no-first-run", f"--user-data-dir={where / 'chromium-profile'}",
        f"--window-size={width},{height}", f"--screenshot={target}", url, timeout=120)
    if not target.is_file():
        raise Failed(f"Chromium wrote no {target.name}")


def preview_pictures(where: Path, out: Path) -> None:
    project = copy_plan(where / "preview")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([*PSA, "serve", "--project", str(project), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        wait_for(url, "Progress report")
        screenshot(where, url, out / "preview.png")
        gap = project / "actions" / "data-gaps" / "3.2.1.yaml"
        gap.write_text(gap.read_text(encoding="utf-8").replace("lead: Police", "lead: Polce", 1),
                       encoding="utf-8")
        wait_for(url, "Polce")
        screenshot(where, url, out / "preview-problems.png", height=260)
    finally:
        server.terminate()
        server.wait(timeout=30)


def placeholder(target: Path) -> None:
    """A 1 x 1 grey PNG, so the guide builds (and its links are checked) without the tools."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    header = bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])  # 1 x 1, 8-bit grey
    target.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                       + chunk(b"IDAT", zlib.compress(b"\x00\xc0")) + chunk(b"IEND", b""))


def make(out: Path, placeholders: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    if placeholders:
        for name in PICTURES:
            placeholder(out / name)
    else:
        with tempfile.TemporaryDirectory(prefix="psa-docs-") as temporary:
            where = Path(temporary)
            for step in (report_pictures, meetings_pictures, workbook_pictures,
                         preview_pictures):
                step(where, out)
    missing = [name for name in PICTURES if not (out / name).is_file()]
    if missing:
        raise Failed(f"not made: {', '.join(missing)}")
    return [out / name for name in PICTURES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img",
                        help="the folder to write the pictures into (default: docs/img)")
    parser.add_argument("--placeholders", action="store_true",
                        help="write a blank picture for each name instead (no tools needed)")
    options = parser.parse_args(argv)
    try:
        made = make(options.out, options.placeholders)
    except (Failed, subprocess.TimeoutExpired) as problem:
        print(f"docs-pictures: {problem}", file=sys.stderr)
        return 1
    for path in made:
        print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
