"""The HTML report as a browser shows it: self-contained, accessible, readable on a phone."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

BROWSER = Path(__file__).parent / "browser"


class Inventory(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def inventory(built) -> Inventory:
    parser = Inventory()
    parser.feed(built["html"].read_text(encoding="utf-8"))
    return parser


def test_the_html_is_self_contained(built, inventory):
    html = built["html"].read_text(encoding="utf-8")
    for tag, attrs in inventory.tags:
        assert tag not in ("link", "script", "img", "iframe", "object"), tag
        for name in ("src", "href", "srcset", "action"):
            if name in attrs:
                assert attrs[name].startswith("#"), (tag, attrs)
    assert re.findall(r"url\((?!\s*['\"]?data:)", html) == []
    assert "@import" not in html


def test_landmarks_language_contents_and_table_semantics(inventory):
    tags = [tag for tag, _ in inventory.tags]
    assert inventory.tags[0] == ("html", {"lang": "en-GB"})
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in tags
    links = [a["href"] for tag, a in inventory.tags if tag == "a"]
    ids = {a["id"] for _, a in inventory.tags if "id" in a}
    for target in ("#covering", "#data-requirements", "#section-3-2", "#section-4-2",
                   "#section-5-2", "#recommendations", "#summary"):
        assert target in links and target[1:] in ids
    assert tags.count("table") == tags.count("caption") == 4  # 3 sections and the summary
    for tag, attrs in inventory.tags:
        if tag == "th":
            assert attrs.get("scope") in ("col", "row"), attrs


@pytest.fixture(scope="module")
def browser_check(built, tmp_path_factory) -> dict:
    """Run tests/browser/check-page.mjs: axe-core in Debian's Chromium at two widths."""
    if not (BROWSER / "node_modules" / "axe-core").is_dir():
        pytest.fail("the browser test packages are missing: run `make test` (it runs "
                    "npm ci in tests/browser)")
    if shutil.which("node") is None or not Path("/usr/bin/chromium").exists():
        pytest.fail("Node.js and Debian's chromium are needed: run `make test` "
                    "(scripts/system-deps.sh --test installs them)")
    shots = tmp_path_factory.mktemp("screenshots")
    done = subprocess.run(["node", str(BROWSER / "check-page.mjs"), str(built["html"]),
                           str(shots)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    result["shots"] = shots
    return result


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_no_wcag_22_aa_violations(browser_check, width):
    page = browser_check[width]
    assert page["violations"] == []
    assert page["passes"] > 10  # axe really ran its rules


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_page_never_scrolls_sideways(browser_check, width):
    page = browser_check[width]
    assert page["clientWidth"] == {"phone": 375, "desktop": 1280}[width]
    assert page["scrollWidth"] <= page["clientWidth"]
    assert (browser_check["shots"] / f"{width}.png").stat().st_size > 10_000


def test_the_browser_made_no_request(browser_check):
    assert browser_check["phone"]["requests"] == []
    assert browser_check["desktop"]["requests"] == []


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_every_status_is_on_screen_without_scrolling(browser_check, width):
    page = browser_check[width]
    assert len(page["statuses"]) == 10  # one per data gap
    for box in page["statuses"]:
        assert box["width"] > 0 and 0 <= box["left"] and box["right"] <= page["clientWidth"]


def test_the_contents_come_after_the_report_title(built):
    html = built["html"].read_text(encoding="utf-8")
    assert html.index('<h1 id="covering-heading">') < html.index('<nav class="toc"') \
        < html.index('<ol class="paragraphs">')
