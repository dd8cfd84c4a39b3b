"""Layout from the plan's shape (issue 27): a plan of its own fields prints on landscape
table pages with every word whole, rows packed, in few pages; and the papers' loose ends
(footer on one line, figures' wording, thousands in day counts, one status palette, the
exempt badge, empty fields on the phone cards)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from conftest import REPO, run
from pypdf import PdfReader

STATUSES = ["complete", "green", "amber", "red", "not started"]
STATUS_LABELS = ["Complete", "Green", "Amber", "Red", "Not started"]
AGENCIES = {
    "Police": "Cambridgeshire Constabulary",
    "Fire and Rescue": "Cambridgeshire Fire and Rescue Service",
    "Youth Offending Service": "Cambridgeshire Youth Offending Service",
    "Community Safety Team": "Fenland District Council Community Safety Team",
    "Public Health": "Cambridgeshire County Council Public Health",
    "Probation": "Probation Service, East of England",
}
LABELS = ["Ref", "Action", "Lead officer", "Lead agency", "Supporting partners",
          "Milestones", "RAG", "Funding", "Measure of success", "Update"]
MEASURES = ["Fewer repeat victims", "More referrals", "Public confidence",
            "Fewer incidents"]
PLAN_YAML = """\
statuses:
  - {name: complete, colour: blue, done: true}
  - {name: green, colour: green}
  - {name: amber, colour: amber, exception: true}
  - {name: red, colour: red, exception: true}
  - {name: not started, colour: grey}
kinds:
  - name: action
    folder: actions
    heading: Delivery plan
    ref: "1.1.1"
    layout: table
    fields:
      - {name: action, label: Action, type: text}
      - {name: officer, label: Lead officer, type: line}
      - {name: lead, label: Lead agency, type: agencies}
      - {name: partners, label: Supporting partners, type: agencies, required: false}
      - {name: milestones, label: Milestones, type: text, required: false}
      - {name: target, label: Target date, type: due}
      - {name: rag, label: RAG, type: status, partners: true}
      - {name: funding, label: Funding, type: number, required: false}
      - name: measure
        label: Measure of success
        type: choice
        choices: [%s]
      - {name: update, label: Update, type: text, partners: true}
""" % ", ".join(MEASURES)
ACTIONS = [
    "Run joint licensing visits to late-night premises in Wisbech and March, with the "
    "licensing officers of the council and the police's licensing team.",
    "Commission a domestic abuse outreach service for the rural villages.",
    "Train door staff in spotting vulnerability and in safeguarding referrals.",
    "Deliver the healthy relationships programme in every secondary school of the district, "
    "with a session for parents each term and a survey of the pupils before and after.",
    "Map hot spots of anti-social behaviour each month and share them with partners.",
]
UPDATES = [
    "28 joint visits made by the end of November; two premises warned in writing.",
    "Procurement completed in October. The provider starts in January, later than "
    "planned because the first tender drew no bids; the service will run until March "
    "2026 and report each quarter to the board.",
    "On track.",
    "The programme has reached eleven of the fourteen schools. The remaining three are "
    "booked for the spring term. Feedback from pupils has been positive and teachers have "
    "asked for a second session on online harms, which the provider is designing.",
    "Delayed: the analyst post was vacant from July to September.",
]


def make_plan(root: Path, actions: int = 26) -> Path:
    """A plan of its own shape: actions numbered 1.1.1 under priorities (1) and
    objectives (1.1), ten fields, agencies whose names have spaces."""
    folder = root / "actions" / "actions"
    folder.mkdir(parents=True)
    (root / "actions/plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    (root / "actions/agencies.yaml").write_text(
        "".join(f"{code}: {name}\n" for code, name in AGENCIES.items()), encoding="utf-8")
    sections = {}
    codes = list(AGENCIES)
    for i in range(actions):
        priority, objective, number = i // 9 + 1, (i // 3) % 3 + 1, i % 3 + 1
        sections[str(priority)] = f"Priority {priority}: Protect people from harm"
        sections[f"{priority}.{objective}"] = (
            f"Objective {priority}.{objective}: Reduce violence and keep victims safe")
        ref = f"{priority}.{objective}.{number}"
        partners = [codes[(i + 2) % 6], codes[(i + 3) % 6]] if i % 4 else []
        lines = [
            f"ref: {ref}",
            f"action: {ACTIONS[i % 5]!r}",
            f"officer: {['Community Safety Manager', 'Inspector J. Smith', 'Head of Service'][i % 3]}",
            f"lead: {codes[i % 6]}",
            *([f"partners: {', '.join(partners)}"] if partners else []),
            *(["milestones: |-", "  Q1: plan agreed.", "  Q3: half delivered."] if i % 2 else []),
            f"target: Q{i % 4 + 1} 2024/25",
            f"rag: {STATUSES[i % 5]}",
            *([f"funding: {12000 + 1500 * i}"] if i % 3 else []),
            f"measure: {MEASURES[i % 4]}",
            f"update: {UPDATES[i % 5]!r}",
        ]
        (folder / f"{ref}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "actions/report.yaml").write_text(
        "partnership: Fenland Community Safety Partnership\n"
        "title: Community Safety Delivery Plan 2024/25, progress report\n"
        "meeting: Fenland Community Safety Partnership Board\n"
        "author: Community Safety Manager\n"
        "date: 2024-12-10\n"
        "paragraphs:\n  - This report sets out progress against the delivery plan.\n"
        "sections:\n" + "".join(f"  {k!r}: {v!r}\n" for k, v in sections.items()),
        encoding="utf-8")
    return root


def build(runner, root: Path, *extra: str) -> Path:
    result = run(runner, "build", "--format", "pdf", "--project", str(root), *extra)
    assert result.exit_code == 0, result.output
    return root / "out/progress-report.pdf"


def lines_of(pdf_path: Path) -> list[list[str]]:
    """Every printed line's words (pdfplumber), page by page, in reading order."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for line in page.extract_text_lines():
                found.append(line["text"])
    return found


def orientations(pdf_path: Path) -> list[tuple[str, str]]:
    found = []
    for page in PdfReader(pdf_path).pages:
        box = page.mediabox
        turn = "landscape" if box.width > box.height else "portrait"
        found.append((turn, " ".join(page.extract_text().split())))
    return found
