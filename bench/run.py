#!/usr/bin/env python3
"""Benchmark psa-report against its floor: ``make bench`` or ``python bench/run.py``.

For each size (15, 100, 1,000 and 3,000 actions by default) it writes a
synthetic but realistic project into a temporary folder, then times, run after
run and side by side:

* ``psa-report check`` and ``psa-report overdue``,
* ``psa-report build --format html``, ``build --format pdf`` and ``build --format docx``,
* WeasyPrint alone on the very HTML the build wrote (``weasyprint in.html
  out.pdf``, same PDF variant as the build, and without a variant): the floor
  for the PDF step,
* ``python -c "import pydantic, yaml, click"``: the floor for start-up,
* ``psa-report serve``: from a YAML file written to the new HTML served (the
  server rebuilds in its warm process; the bench polls the page's version),
* ``Preview.pdf()`` in a warm process (WeasyPrint imported, fonts loaded), after
  an edit so nothing is cached, against a fresh ``build --format pdf``,
* Debian's Chromium printing the very HTML the build wrote
  (``chromium --headless --print-to-pdf``), at 15, 100 and 1,000 actions.

Every measurement is a fresh process; its peak memory and CPU time are read from
``os.wait4`` (the child's own ``ru_maxrss``, not a maximum over all children; its
user and system time, with the processes it waited for). Commands and sizes are
interleaved within each round (each command at every size, then the next), so a
busy moment on the machine slows both sides of a ratio alike; every ratio is taken
pair by pair within a round, on wall time and on CPU time, and the median of the
rounds' ratios is reported. Growth targets (3,000 actions against 1,000; 36 months
of police.uk files against 12) are judged on CPU time, which a busy machine barely
moves; the others, what a user waits for, on wall time.

It prints one table and the targets of issue 6 (PASS/FAIL with the measured
ratio), and writes everything as JSON to bench/results/latest.json (or --json).
With --strict a failed target makes the exit status 1.

Run it with the project's virtual environment (``make bench`` does): the
commands timed are the ``psa-report`` and ``weasyprint`` scripts installed
beside the Python running this file.
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "actions"
BIN = Path(sys.executable).parent
AS_OF = "2010-06-28"
DEFAULT_SIZES = (15, 100, 1000, 3000)
DEFAULT_RUNS = 3
VARIANT = "pdf/ua-1"  # psa_report.printer.DEFAULT_VARIANT, the build's default

#: The commands timed, in table order: (name, what it is).
COMMANDS = [
    ("startup", "python -c 'import pydantic, yaml, click' (start-up floor)"),
    ("pydantic", "python -c 'from pydantic import BaseModel; class M(BaseModel): x: int'"
                 " (the least any pydantic tool costs)"),
    ("check", "psa-report check"),
    ("overdue", "psa-report overdue --as-of " + AS_OF),
    ("html", "psa-report build --format html"),
    ("pdf", "psa-report build --format pdf"),
    ("docx", "psa-report build --format docx"),
    ("weasyprint", f"weasyprint --pdf-variant {VARIANT} (PDF floor)"),
    ("weasyprint_plain", "weasyprint, no variant"),
    ("serve", "psa-report serve: a YAML file written -> the new HTML served (median of "
              "the edits)"),
    ("pdf_warm", "Preview.pdf() in a warm process after an edit (WeasyPrint imported)"),
    ("chromium", "chromium --headless --print-to-pdf of the build's HTML"),
    ("figures_import", "psa-report figures import of 36 monthly police.uk files"),
    ("duckdb", "DuckDB reading and grouping the same 36 files (the floor)"),
]
#: Rows measured once, on the police.uk files, not per size of plan.
FIGURES_ROWS = ("figures_import", "duckdb")
FIGURES_MONTHS = 36
#: The figures' growth row imports this many months against all of them (a third).
FIGURES_GROWTH_MONTHS = 12
#: The outputs whose time must grow no faster than the plan: (3,000 / 1,000 actions).
GROWTH_ROWS = ("check", "overdue", "html", "pdf", "docx")
GROWTH_LIMIT = 3.3
FIGURES_ROWS_PER_MONTH = 20_000  # a force the size of Cleveland: about 20,000 a month
FIGURES_AREA = "Stockton-on-Tees"
#: Rows that are not one fresh process per run; measured by their own functions.
SPECIAL = ("serve", "pdf_warm")
#: Edits timed per round of the serve row.
SERVE_EDITS = 10
#: Warm prints timed per round of the pdf_warm row (after one untimed warm-up).
WARM_PRINTS = 2
#: Sizes the pdf_warm and chromium rows are measured at (not 3,000: the warm print
#: saves the same second there as at 15, and takes minutes to show it).
PDF_WARM_SIZES = (15, 100)
CHROMIUM_SIZES = (15, 100, 1000)
CHROMIUM = Path("/usr/bin/chromium")

STATUSES = ["complete", "on track", "on track", "at risk", "off track", "not started",
            "Green", "amber"]
EXTRA_AGENCIES = {
    "Fire": "Cleveland Fire Brigade",
    "Housing": "Tristar Homes",
    "PCT": "North Tees Primary Care Trust",
    "YOS": "Youth Offending Service",
    "DAAT": "Drug and Alcohol Action Team",
    "Trading-Standards": "Trading Standards, Stockton-on-Tees Borough Council",
}
DUE_FORMS = ["{y}-{m:02d}", "{y}-{m:02d}-{d:02d}", "{d} {month} {y}", "{month} {y}"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


# --- the synthetic project ----------------------------------------------------------

def shipped_texts() -> dict[str, list[str]]:
    """The real texts of the shipped plan, by field: the lengths a real plan has."""
    texts: dict[str, list[str]] = {"gap": [], "action": [], "update": [], "recommendation": []}
    for path in sorted(SHIPPED.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, found in texts.items():
            if name in data:
                found.append(" ".join(str(data[name]).split()))
    return texts


def folded(name: str, text: str) -> str:
    """A field as analysts write long text: ``name: >-`` and wrapped lines."""
    paragraphs = text.split("\n\n")
    lines = [f"{name}: >-"]
    for i, paragraph in enumerate(paragraphs):
        if i:
            lines.append("")
        lines += textwrap.wrap(paragraph, 86, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines) + "\n"


def lead_block(leads: list[str]) -> str:
    if len(leads) == 1:
        return f"lead: {leads[0]}\n"
    return "lead:\n" + "".join(f"  - {lead}\n" for lead in leads)


def due_line(rng: random.Random) -> str:
    y, m, d = rng.choice((2010, 2010, 2011)), rng.randint(1, 12), rng.randint(1, 28)
    form = rng.choice(DUE_FORMS)
    return "due: " + form.format(y=y, m=m, d=d, month=MONTHS[m - 1]) + "\n"


def make_project(root: Path, size: int, seed: int = 2010) -> dict:
    """Write a project of ``size`` actions (two thirds data gaps) under ``root``."""
    rng = random.Random(seed + size)
    texts = shipped_texts()
    agencies = yaml.safe_load((SHIPPED / "agencies.yaml").read_text(encoding="utf-8"))
    agencies.update(EXTRA_AGENCIES)
    codes = list(agencies)
    actions = root / "actions"
    (actions / "data-gaps").mkdir(parents=True)
    (actions / "recommendations").mkdir()
    (actions / "agencies.yaml").write_text(
        "# Lead agencies of the benchmark plan.\n"
        + "".join(f"{code}: {name}\n" for code, name in agencies.items()), encoding="utf-8")

    gaps = max(1, size * 2 // 3)
    recommendations = size - gaps
    per_section = 8
    section_names = {}

    def update_text() -> str:
        text = rng.choice(texts["update"])
        if rng.random() < 0.2:  # now and then a second paragraph of progress
            text += "\n\n" + rng.choice(texts["update"])
        return text

    for i in range(gaps):
        chapter, section = 3 + i // (per_section * 9), (i // per_section) % 9 + 1
        ref = f"{chapter}.{section}.{i % per_section + 1}"
        if rng.random() < 0.3:
            section_names[f"{chapter}.{section}"] = f"Theme {chapter}.{section}"
        leads = rng.sample(codes, 2 if i == 1 else rng.choice((1, 1, 1, 2, 3)))
        body = (f"ref: {ref}\n" + folded("gap", rng.choice(texts["gap"])) + lead_block(leads)
                + folded("action", rng.choice(texts["action"])) + folded("update", update_text())
                + "# Status: judged from the update above.\n"
                + f"status: {STATUSES[i] if i < len(STATUSES) else rng.choice(STATUSES)}\n"
                + (due_line(rng) if i == 0 or rng.random() < 0.4 else ""))
        folder = actions / "data-gaps" / (f"chapter-{chapter}" if size > 100 else "")
        folder.mkdir(exist_ok=True)
        (folder / f"{ref}.yaml").write_text(body, encoding="utf-8")

    for i in range(1, recommendations + 1):
        roll = rng.random()
        leads = [] if roll < 0.3 else rng.sample(codes, 1 if roll < 0.8 else 2)
        body = (f"ref: R{i}\n" + folded("recommendation", rng.choice(texts["recommendation"]))
                + (lead_block(leads) if leads else "") + folded("update", update_text())
                + f"status: {rng.choice(STATUSES)}\n"
                + (due_line(rng) if rng.random() < 0.4 else ""))
        (actions / "recommendations" / f"R{i}.yaml").write_text(body, encoding="utf-8")

    report = (SHIPPED / "report.yaml").read_text(encoding="utf-8")
    if section_names:
        report += "sections:\n" + "".join(f"  '{number}': {name}\n"
                                          for number, name in sorted(section_names.items()))
    (actions / "report.yaml").write_text(report, encoding="utf-8")
    return {"actions": size, "data_gaps": gaps, "recommendations": recommendations,
            "yaml_bytes": sum(p.stat().st_size for p in actions.rglob("*.yaml"))}


# --- police.uk files ----------------------------------------------------------------

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                 "LSOA code,LSOA name,Crime type,Last outcome category,Context")
#: police.uk's crime types, with anti-social behaviour about a third of the rows.
CRIME_TYPES = (["Anti-social behaviour"] * 6 + [
    "Violence and sexual offences", "Violence and sexual offences",
    "Violence and sexual offences", "Criminal damage and arson", "Shoplifting",
    "Other theft", "Burglary", "Public order", "Vehicle crime", "Drugs", "Other crime",
    "Possession of weapons", "Robbery", "Bicycle theft", "Theft from the person"])
FORCE_AREAS = ["Stockton-on-Tees", "Middlesbrough", "Hartlepool", "Redcar and Cleveland"]
OUTCOMES = ["Investigation complete; no suspect identified", "Unable to prosecute suspect",
            "Under investigation", "Awaiting court outcome", "Local resolution",
            "Offender given a caution", "Court result unavailable"]
STREETS = ["On or near Park Road", "On or near Supermarket", "On or near Parking Area",
           "On or near High Street", "On or near Sports/Recreation Area",
           "On or near Petrol Station", "On or near Nightclub", "On or near Shopping Area"]


def make_police_files(folder: Path, months: int = FIGURES_MONTHS,
                      rows: int = FIGURES_ROWS_PER_MONTH, seed: int = 2024) -> int:
    """Write ``months`` monthly street-level files as data.police.uk delivers them (a
    folder per month, YYYY-MM-cleveland-street.csv): four local authorities' LSOAs,
    anti-social behaviour with no Crime ID, 2% of rows with no location. Bytes written."""
    import hashlib

    rng = random.Random(seed)
    written = 0
    for index in range(months):
        year, month = 2022 + index // 12, index % 12 + 1
        key = f"{year}-{month:02d}"
        path = folder / key / f"{key}-cleveland-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [STREET_HEADER]
        for number in range(rows):
            kind = rng.choice(CRIME_TYPES)
            crime = kind != "Anti-social behaviour"
            crime_id = hashlib.sha256(f"{key}/{number}".encode()).hexdigest() if crime else ""
            outcome = rng.choice(OUTCOMES) if crime else ""
            if rng.random() < 0.02:
                lines.append(f"{crime_id},{key},Cleveland Police,Cleveland Police,,,No "
                             f"Location,,,{kind},{outcome},")
                continue
            area = rng.choice(FORCE_AREAS)
            lsoa = f"{area} {rng.randint(1, 40):03d}{rng.choice('ABCDE')}"
            lines.append(f"{crime_id},{key},Cleveland Police,Cleveland Police,"
                         f"-1.{rng.randint(100000, 999999)},54.{rng.randint(100000, 999999)},"
                         f"{rng.choice(STREETS)},E0101{rng.randint(1000, 9999)},{lsoa},{kind},"
                         f"{outcome},")
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(data)
        written += len(data)
    return written


DUCKDB_QUERY = ("SELECT Month, \"Crime type\", count(*) FROM read_csv('{glob}', header=true, "
                "all_varchar=true) WHERE \"LSOA name\" LIKE '{area} %' GROUP BY ALL ORDER BY ALL")


def bench_figures(runs: int, work: Path, names: list[str], growth: bool = True) -> dict:
    """figures_import against DuckDB on the same 36 files; the import of one month, to
    show that memory is bounded by a month's file, not the history; and (``growth``) of
    12 months, against which 36 must take at most 3.3 times as long."""
    files = work / "police-uk"
    info = {"months": FIGURES_MONTHS, "rows_per_month": FIGURES_ROWS_PER_MONTH,
            "bytes": make_police_files(files)}
    project = work / "figures-plan"
    shutil.copytree(SHIPPED, project / "actions")
    tool = str(BIN / "psa-report")
    months = sorted(files.iterdir())
    one = months[0]
    argv = {
        "figures_import": [tool, "figures", "import", str(files), "--area", FIGURES_AREA,
                           "--project", str(project)],
        "figures_import_1": [tool, "figures", "import", str(one), "--area", FIGURES_AREA,
                             "--project", str(project)],
        "figures_import_12": [tool, "figures", "import",
                              *map(str, months[:FIGURES_GROWTH_MONTHS]),
                              "--area", FIGURES_AREA, "--project", str(project)],
        "duckdb": [sys.executable, "-c", "import duckdb\nrows = duckdb.sql(" + repr(
            DUCKDB_QUERY.format(glob=f"{files}/*/*-street.csv", area=FIGURES_AREA))
            + ").fetchall()\nassert rows"],
    }
    names = [n for n in names if n in FIGURES_ROWS]
    import importlib.util

    if "duckdb" in names and importlib.util.find_spec("duckdb") is None:
        print("bench: DuckDB is not installed (pip install -e '.[bench]'), so the duckdb "
              "row is left out", file=sys.stderr)
        names.remove("duckdb")
    if "figures_import" in names:
        names += ["figures_import_1"]
        if growth:
            names.append("figures_import_12")
    log = work / "stderr.log"
    rounds: dict[str, list[list[Sample]]] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:
            rounds[name].append([run_once(argv[name], log)])
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    info["month_file_mb"] = round(sum(p.stat().st_size for p in one.iterdir()) / 2**20, 1)
    info["results"] = {name: summary(found) for name, found in rounds.items()}
    return info


def figures_targets(info: dict | None) -> list[dict]:
    if not info:
        return []
    results = info["results"]

    def get(name, key="median_s"):
        return results.get(name, {}).get(key)

    found = []
    ours, floor = get("figures_import"), get("duckdb")
    wall, cpu = paired(results.get("figures_import"), results.get("duckdb"))
    found.append({"target": "figures import / DuckDB, 36 months", "unit": "x", "limit": 3.0,
                  "measured": None if wall is None else round(wall, 3),
                  "cpu": None if cpu is None else round(cpu, 3), "judged": "wall",
                  "detail": f"{ours} s / {floor} s"})
    third = get("figures_import_12")
    wall, cpu = paired(results.get("figures_import"), results.get("figures_import_12"))
    found.append({"target": f"figures import: {FIGURES_MONTHS} / {FIGURES_GROWTH_MONTHS} months",
                  "unit": "x", "limit": GROWTH_LIMIT,
                  "measured": None if wall is None else round(wall, 3),
                  "cpu": None if cpu is None else round(cpu, 3), "judged": "cpu",
                  "detail": f"{ours} s / {third} s"})
    whole, single = get("figures_import", "peak_rss_mb"), get("figures_import_1", "peak_rss_mb")
    grew = None if whole is None or single is None else whole - single
    found.append({"target": "figures import memory: 36 months - 1 month, against one month's "
                  "file", "unit": "MB", "limit": info["month_file_mb"],
                  "measured": None if grew is None else round(grew, 1),
                  "detail": f"{whole} MB - {single} MB"})
    for f in found:
        f.setdefault("cpu", None)
        f.setdefault("judged", "wall")
        f["status"] = verdict(f)
    return found


# --- measuring ----------------------------------------------------------------------

#: One measurement: wall seconds, peak resident memory in bytes, CPU seconds (user and
#: system, of the child and the processes it waited for; None where not measurable).
Sample = tuple[float, int, float | None]


def run_once(argv: list[str], log: Path) -> Sample:
    """Run ``argv`` once: (wall seconds, peak resident memory in bytes, CPU seconds) of
    that child."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=out, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed (exit {child.returncode}):\n"
                         + log.read_text(errors="replace")[-2000:])
    # Linux reports kilobytes
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def measure(argv: list[str], log: Path) -> tuple[float, int]:
    """Run ``argv`` once: (wall seconds, peak resident memory in bytes) of that child."""
    wall, rss, _ = run_once(argv, log)
    return wall, rss


def summary(rounds: list[list[Sample]]) -> dict:
    """A row's results: over all samples, and each round's own (the median of its
    samples), from which ratios are taken pair by pair."""
    found = [sample for one in rounds for sample in one]
    cpus = [c for _, _, c in found if c is not None]
    per_round = [(statistics.median(w for w, _, _ in one),
                  statistics.median(c for _, _, c in one) if all(
                      c is not None for _, _, c in one) else None)
                 for one in rounds if one]
    return {"median_s": round(statistics.median(w for w, _, _ in found), 4),
            "min_s": round(min(w for w, _, _ in found), 4),
            "max_s": round(max(w for w, _, _ in found), 4),
            "cpu_median_s": round(statistics.median(cpus), 4) if cpus else None,
            "peak_rss_mb": round(max(m for _, m, _ in found) / 2**20, 1),
            "samples": len(found),
            "rounds_s": [round(w, 4) for w, _ in per_round],
            "rounds_cpu_s": [None if c is None else round(c, 4) for _, c in per_round]}


def paired(a: dict | None, b: dict | None) -> tuple[float | None, float | None]:
    """The ratio a / b on wall and on CPU time: taken round by round (both measured in
    the same round, side by side), the median of those ratios."""
    if not a or not b:
        return None, None

    def ratio(key: str) -> float | None:
        pairs = [x / y for x, y in zip(a.get(key, []), b.get(key, []))
                 if x is not None and y]
        return statistics.median(pairs) if pairs else None

    return ratio("rounds_s"), ratio("rounds_cpu_s")


def verdict(target: dict) -> str:
    """PASS or FAIL on the time the target is judged on (CPU for growth, else wall);
    INFO with no limit; SKIP if not measured."""
    judged = target["cpu"] if target["judged"] == "cpu" else target["measured"]
    if judged is None:
        return "SKIP"
    if target["limit"] is None:
        return "INFO"
    return "PASS" if judged <= target["limit"] else "FAIL"


def commands_for(project: Path, out: Path) -> dict[str, list[str]]:
    tool = str(BIN / "psa-report")
    html = out / "progress-report.html"
    weasy = [str(BIN / "weasyprint"), "--custom-metadata"]
    return {
        "startup": [sys.executable, "-c", "import pydantic, yaml, click"],
        "pydantic": [sys.executable, "-c", "import pydantic, yaml, click\n"
                     "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int"],
        "check": [tool, "check", "--project", str(project)],
        "overdue": [tool, "overdue", "--project", str(project), "--as-of", AS_OF],
        "html": [tool, "build", "--format", "html", "--project", str(project), "--out", str(out)],
        "pdf": [tool, "build", "--format", "pdf", "--project", str(project), "--out", str(out)],
        "docx": [tool, "build", "--format", "docx", "--project", str(project), "--out",
                 str(out)],
        "weasyprint": weasy + ["--pdf-variant", VARIANT, str(html), str(out / "alone.pdf")],
        "weasyprint_plain": weasy + [str(html), str(out / "alone-plain.pdf")],
        "chromium": [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                     "--no-pdf-header-footer", f"--print-to-pdf={out / 'chromium.pdf'}",
                     html.as_uri()],
    }


def measured_at(name: str, size: int) -> bool:
    if name == "pdf_warm":
        return size in PDF_WARM_SIZES
    if name == "chromium":
        return size in CHROMIUM_SIZES and CHROMIUM.exists()
    return name not in FIGURES_ROWS


# --- the warm process: serve and Preview.pdf() ---------------------------------------

def edit_update(path: Path, mark: str) -> None:
    """Start the file's update text with ``mark``: an edit the report shows."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(update: >-\n  )(Edit \d+\. )?", rf"\g<1>{mark} ", text, count=1)
    path.write_text(text, encoding="utf-8")


def first_item(project: Path) -> Path:
    return sorted((project / "actions" / "data-gaps").rglob("*.yaml"))[0]


def _version(port: int, method: str = "HEAD") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, "/")
        response = connection.getresponse()
        return int(response.getheader("X-Psa-Report-Version")), response.read()
    finally:
        connection.close()


def _peak_rss(pid: int) -> int:
    """The process's own peak resident memory so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def measure_serve(project: Path, log: Path, edits: int = SERVE_EDITS) -> list[Sample]:
    """``psa-report serve`` on ``project``: for each edit, the seconds from just before
    the file is written until the page with the edit has been read back, as the open
    page sees it: the new version announced on ``/events`` (the page's own
    server-sent events, which make it reload), then the page fetched."""
    with open(log, "wb") as err:
        server = subprocess.Popen([str(BIN / "psa-report"), "serve", "--project",
                                   str(project), "--port", "0"], stdout=subprocess.PIPE,
                                  stderr=err, cwd=REPO)
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    events = None
    try:
        deadline = time.monotonic() + 120
        port = None
        while port is None:
            found = [re.search(rb"http://127\.0\.0\.1:(\d+)/", line) for line in list(lines)]
            port = next((int(m.group(1)) for m in found if m), None)
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: psa-report serve did not start:\n"
                                 + log.read_text(errors="replace")[-2000:])
            time.sleep(0.01)
        target = first_item(project)
        events = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        events.request("GET", "/events")
        stream = events.getresponse()
        token = _next_token(stream)
        samples = []
        for i in range(edits):
            time.sleep(0.2)  # quiet between edits, as between two saves
            mark = f"Edit {i}."
            started = time.perf_counter()
            edit_update(target, mark)
            while (now := _next_token(stream)) == token or now.endswith("-rebuilding"):
                pass
            token = now
            _, page = _version(port, "GET")
            wall = time.perf_counter() - started
            if mark.encode() not in page:
                raise SystemExit(f"bench: the served page lacks the edit {mark!r}")
            samples.append((wall, _peak_rss(server.pid), None))  # CPU: not the edit's own
            print(".", end="", file=sys.stderr, flush=True)
        return samples
    finally:
        if events is not None:
            events.close()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _next_token(stream) -> str:
    """The next version announced on /events (keep-alive comments skipped)."""
    while True:
        line = stream.readline()
        if not line:
            raise SystemExit("bench: serve closed its event stream")
        if line.startswith(b"data: "):
            return line[6:].strip().decode()


def warm_pdf_child(project: Path, prints: int) -> None:
    """Run in a child process: print once to warm up, then time ``prints`` prints,
    each after an edit (so nothing is cached). JSON on stdout."""
    from psa_report.cli import freeze_before_print
    from psa_report.report import html_builder
    from psa_report.serve import Preview

    # As `psa-report serve` runs it: the console entry point's GC freeze after warm-up.
    preview = Preview(project, html_builder(project), after_warm_up=freeze_before_print)
    preview.rebuild()
    preview.pdf()
    target = first_item(project)
    seconds, cpu = [], []
    for i in range(prints):
        edit_update(target, f"Edit {i}.")
        preview.rebuild()
        started, used = time.perf_counter(), time.process_time()
        data = preview.pdf()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
        assert data.startswith(b"%PDF-")
    print(json.dumps({"seconds": seconds, "cpu": cpu}))


def measure_pdf_warm(project: Path, log: Path) -> list[Sample]:
    with open(log, "wb") as err:
        child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()),
                                  "--warm-pdf-child", str(project)],
                                 stdout=subprocess.PIPE, stderr=err, cwd=REPO)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("bench: the warm PDF child failed:\n"
                         + log.read_text(errors="replace")[-2000:])
    rss = usage.ru_maxrss * 1024
    found = json.loads(out)
    return list(zip(found["seconds"], [rss] * len(found["seconds"]), found["cpu"]))


def prepare_size(size: int, work: Path, names: list[str]) -> dict:
    """Write the plan of ``size`` actions and build its HTML once (what WeasyPrint and
    Chromium alone are given, and a warm-up); the rows measured at that size."""
    project = work / f"plan-{size}"
    info = make_project(project, size)
    out = project / "out"
    argv = commands_for(project, out)
    log = work / "stderr.log"
    measure(argv["html"], log)
    info["html_bytes"] = (out / "progress-report.html").stat().st_size
    names = [name for name in names if measured_at(name, size)]
    copy = work / f"plan-{size}-edited"  # serve and pdf_warm edit their own copy
    if any(name in SPECIAL for name in names):
        shutil.copytree(project / "actions", copy / "actions")
    return {"info": info, "argv": argv, "out": out, "copy": copy, "names": names,
            "rounds": {name: [] for name in names}}


def measure_round(prepared: dict[int, dict], names: list[str], log: Path) -> None:
    """One round: each command at every size, one after the other, so the two sides of
    a ratio (two sizes, or a command and its floor) are measured moments apart."""
    for name in names:
        for state in prepared.values():
            if name not in state["names"]:
                continue
            if name == "serve":
                found = measure_serve(state["copy"], log)
            elif name == "pdf_warm":
                found = measure_pdf_warm(state["copy"], log)
            else:
                found = [run_once(state["argv"][name], log)]
            state["rounds"][name].append(found)
            print(".", end="", file=sys.stderr, flush=True)


def finish_size(state: dict) -> dict:
    info, out = state["info"], state["out"]
    pdf = out / "progress-report.pdf"
    if pdf.exists():
        info["pdf_bytes"] = pdf.stat().st_size
        info["pdf_pages"] = pdf_pages(pdf)
    if (out / "chromium.pdf").exists():
        info["chromium_pdf_bytes"] = (out / "chromium.pdf").stat().st_size
        info["chromium_pdf_pages"] = pdf_pages(out / "chromium.pdf")
    info["results"] = {name: summary(found) for name, found in state["rounds"].items()}
    return info


def bench_sizes(sizes: list[int], runs: int, work: Path, names: list[str]) -> dict[int, dict]:
    prepared = {}
    for size in sizes:
        print(f"{size:,} actions: writing the plan", file=sys.stderr, flush=True)
        prepared[size] = prepare_size(size, work, names)
    log = work / "stderr.log"
    for number in range(1, runs + 1):
        print(f"round {number} of {runs}: {len(names)} commands at "
              f"{', '.join(f'{s:,}' for s in sizes)} actions", file=sys.stderr, flush=True)
        measure_round(prepared, names, log)
        print(file=sys.stderr)
    return {size: finish_size(state) for size, state in prepared.items()}


def pdf_pages(pdf: Path) -> int | None:
    """The PDF's page count (pypdf, which reads compressed object streams; the
    /Type /Page objects of WeasyPrint's PDFs are inside them); None without pypdf."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(pdf).pages)


# --- targets ------------------------------------------------------------------------

def targets(sizes: dict[int, dict]) -> list[dict]:
    """The targets of issues 6 and 31, each with its measured ratio (on wall and on CPU
    time, pair by pair within the rounds); None where not measured."""
    def r(size: int, name: str) -> dict | None:
        return sizes.get(size, {}).get("results", {}).get(name)

    def t(size: int, name: str) -> float | None:
        result = r(size, name)
        return result and result["median_s"]

    found = []

    def target(name: str, measured: tuple[float | None, float | None], limit: float | None,
               unit: str, detail: str, judged: str = "wall"):
        wall, cpu = measured
        found.append({"target": name, "measured": None if wall is None else round(wall, 3),
                      "cpu": None if cpu is None else round(cpu, 3), "judged": judged,
                      "limit": limit, "unit": unit, "detail": detail})
        found[-1]["status"] = verdict(found[-1])

    def ratio(a: tuple[int, str], b: tuple[int, str]):
        return paired(r(*a), r(*b))

    def difference(a: tuple[int, str], b: tuple[int, str]):
        x, y = r(*a), r(*b)
        if not x or not y:
            return None, None
        found = []
        for key in ("rounds_s", "rounds_cpu_s"):
            pairs = [p - q for p, q in zip(x[key], y[key]) if p is not None and q is not None]
            found.append(statistics.median(pairs) if pairs else None)
        return tuple(found)

    for name in ("check", "overdue"):
        target(f"{name} on 15 actions / start-up floor", ratio((15, name), (15, "startup")),
               1.5, "x", f"{t(15, name)} s / {t(15, 'startup')} s")
    for name in ("check", "overdue"):  # issue 31
        target(f"{name} on 15 actions / one-model pydantic floor",
               ratio((15, name), (15, "pydantic")), 1.2, "x",
               f"{t(15, name)} s / {t(15, 'pydantic')} s")
    target("check on 3,000 actions, beyond start-up",
           difference((3000, "check"), (3000, "startup")), 1.0, "s",
           f"{t(3000, 'check')} s - {t(3000, 'startup')} s")
    for size in (15, 100, 1000):  # issues 27 and 31: 15 and 100; 1,000 since November
        target(f"build pdf / WeasyPrint alone, {size:,} actions",
               ratio((size, "pdf"), (size, "weasyprint")), 1.10, "x",
               f"{t(size, 'pdf')} s / {t(size, 'weasyprint')} s")
    for name in GROWTH_ROWS:
        target(f"{name}: 3,000 / 1,000 actions", ratio((3000, name), (1000, name)),
               GROWTH_LIMIT, "x", f"{t(3000, name)} s / {t(1000, name)} s", judged="cpu")
    rss = (r(3000, "pdf") or {}).get("peak_rss_mb")
    target("peak memory of build pdf, 3,000 actions", (rss, None), 1536, "MB", f"{rss} MB")
    serve = t(100, "serve")
    target("serve: file written -> new HTML served, 100 actions",
           (None if serve is None else serve * 1000, None), 50, "ms", f"median {serve} s")
    for size, limit in ((100, None), (1000, 0.15)):  # issue 31: the preview at every size
        target(f"serve: file written -> new HTML served / fresh build html, {size:,} actions",
               ratio((size, "serve"), (size, "html")), limit, "x",
               f"{t(size, 'serve')} s / {t(size, 'html')} s")
    target("warm Preview.pdf() / fresh build pdf, 15 actions (the shipped size)",
           ratio((15, "pdf_warm"), (15, "pdf")), 0.5, "x",
           f"{t(15, 'pdf_warm')} s / {t(15, 'pdf')} s")
    target("build pdf / Chromium's print of the same HTML, 100 actions",
           ratio((100, "pdf"), (100, "chromium")), 1.5, "x",
           f"{t(100, 'pdf')} s / {t(100, 'chromium')} s")
    return found


# --- output -------------------------------------------------------------------------

def table(sizes: dict[int, dict], names: list[str]) -> str:
    header = ["command"] + [f"{s:,} actions" for s in sizes]
    rows = [header]
    for name in names:
        cells = [name]
        for info in sizes.values():
            r = info["results"].get(name)
            if r is None:
                cells.append("-")
            elif r["median_s"] < 0.1:
                cells.append(f"{r['median_s'] * 1000:.0f} ms  {r['peak_rss_mb']:.0f} MB")
            else:
                cells.append(f"{r['median_s']:.2f} s  {r['peak_rss_mb']:.0f} MB")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                              for i, (c, w) in enumerate(zip(row, widths))) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + ("-" if i == 0 else ":")
                                   for i, w in enumerate(widths)) + "|")
    return "\n".join(lines)


def figures_table(info: dict) -> str:
    rows = [("row", "what", "median", "peak memory")]
    for name, result in info["results"].items():
        what = {"figures_import": f"psa-report figures import, {info['months']} months",
                "figures_import_1": "psa-report figures import, 1 month",
                "figures_import_12": f"psa-report figures import, {FIGURES_GROWTH_MONTHS} "
                                     "months",
                "duckdb": f"DuckDB read_csv + GROUP BY, {info['months']} months"}[name]
        rows.append((name, what, f"{result['median_s']:.2f} s", f"{result['peak_rss_mb']:.0f} MB"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["| " + " | ".join(c.ljust(w) if i < 2 else c.rjust(w)
                              for i, (c, w) in enumerate(zip(row, widths))) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + ("-" if i < 2 else ":")
                                   for i, w in enumerate(widths)) + "|")
    return (f"police.uk files: {info['months']} months x {info['rows_per_month']:,} rows "
            f"({info['bytes'] / 2**20:.0f} MB; one month's file {info['month_file_mb']} MB)\n"
            + "\n".join(lines))


def target_lines(found: list[dict]) -> str:
    """One line a target: its verdict, the measure it is judged on first, the other
    beside it (wall, or CPU time: user and system)."""
    lines = []
    for f in found:
        wall = None if f["measured"] is None else f"{f['measured']:g} {f['unit']}"
        cpu = None if f.get("cpu") is None else f"{f['cpu']:g} {f['unit']}"
        shown = [cpu and f"{cpu} CPU", wall and f"{wall} wall"] if f.get("judged") == "cpu" \
            else [wall, cpu and f"{cpu} CPU"]
        measured = ", ".join(x for x in shown if x) or "-"
        limit = "no limit" if f["limit"] is None else f"limit {f['limit']:g} {f['unit']}"
        lines.append(f"{f['status']:4}  {f['target']}: {measured} ({limit}; {f['detail']})")
    return "\n".join(lines)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = None
    import weasyprint
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory and round(memory, 1),
            "python": platform.python_version(), "weasyprint": weasyprint.__version__,
            "system": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated project sizes in actions (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help="rounds per size; the median is reported (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="a fast look: sizes 15 and 100, 2 rounds, no police.uk files "
                             "(unless given)")
    parser.add_argument("--commands", default=",".join(n for n, _ in COMMANDS),
                        help="comma-separated subset of: %(default)s")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "latest.json",
                        help="where to write the results (default: bench/results/latest.json)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="generate the projects in this folder and keep them")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 if a measured target fails")
    parser.add_argument("--warm-pdf-child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.warm_pdf_child is not None:
        warm_pdf_child(args.warm_pdf_child, WARM_PRINTS)
        return 0
    given = set(argv if argv is not None else sys.argv[1:])
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    runs = args.runs
    if args.quick:
        if not any(a.startswith("--sizes") for a in given):
            sizes = [15, 100]
        if not any(a.startswith("--runs") for a in given):
            runs = 2
    names = [n for n, _ in COMMANDS if n in args.commands.split(",")]
    if args.quick and not any(a.startswith("--commands") for a in given):
        # Writing and importing 36 months of police.uk files would take most of it.
        names = [n for n in names if n not in FIGURES_ROWS]
    unknown = set(args.commands.split(",")) - {n for n, _ in COMMANDS}
    if unknown or runs < 1 or not sizes or min(sizes) < 2:
        parser.error(f"unknown command {', '.join(sorted(unknown))}" if unknown
                     else "--runs must be 1 or more and every size 2 or more")
    if not (BIN / "psa-report").exists():
        parser.error(f"no psa-report beside {sys.executable}: run with the project's "
                     "venv (make bench, or .venv/bin/python bench/run.py)")

    # pip compiles an installed package's bytecode; an editable install under
    # PYTHONDONTWRITEBYTECODE=1 would recompile psa_report on every run instead.
    compileall.compile_dir(REPO / "psa_report", quiet=1)
    started = time.perf_counter()
    results: dict[int, dict] = {}
    figures = None
    work = Path(tempfile.mkdtemp(prefix="psa-bench-")) if args.keep is None else args.keep
    try:
        if any(name in FIGURES_ROWS for name in names):
            print(f"police.uk files: {FIGURES_MONTHS} months of {FIGURES_ROWS_PER_MONTH:,} "
                  f"rows, {runs} round(s)", file=sys.stderr, flush=True)
            figures = bench_figures(runs, work, names, growth=not args.quick)
        if any(n not in FIGURES_ROWS for n in names):
            results = bench_sizes(sizes, runs, work, names)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    found = targets(results) + figures_targets(figures)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "runs": runs,
        "commands": {n: what for n, what in COMMANDS if n in names},
        "sizes": {str(s): info for s, info in results.items()},
        "figures": figures,
        "targets": found,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    m = report["machine"]
    print(f"psa-report benchmark, {report['date']}, {m['cores']} cores ({m['cpu']}), "
          f"Python {m['python']}, WeasyPrint {m['weasyprint']}; median of {runs} run(s), "
          "peak memory")
    if results:
        print(table(results, [n for n in names if n not in FIGURES_ROWS]))
        print()
    if figures:
        print(figures_table(figures))
        print()
    print(target_lines(found))
    print(f"\n{report['bench_seconds']:.0f} s in all; results in {args.json}")
    failed = [f for f in found if f["status"] == "FAIL"]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
