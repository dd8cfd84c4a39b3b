"""The tagged print's page references (printer._page_references): WeasyPrint's tagging
reads ``pdf.page_references`` for every structure element, and pydyf built the tuple of
every page each time (the print's time grew with elements times pages)."""

from __future__ import annotations

import pydyf
import pytest
from weasyprint import HTML

from psa_report import printer


def _pages(count: int) -> pydyf.PDF:
    pdf = pydyf.PDF()
    for _ in range(count):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    return pdf


def test_the_page_references_are_pydyfs_and_made_once_for_each_number_of_pages():
    assert pydyf.PDF.page_references.fget is printer._page_references  # installed
    pdf = _pages(3)
    first = pdf.page_references
    assert first == pydyfs_own(pdf) and len(first) == 3
    assert pdf.page_references is first  # kept, not built again for each element
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references == pydyfs_own(pdf) and len(pdf.page_references) == 4


def pydyfs_own(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    return printer.PYDYF_PAGE_REFERENCES.fget(pdf)


def test_a_tagged_print_builds_them_once_per_page_not_per_element(built, monkeypatch):
    made: list[int] = []
    real = printer._page_references

    def counted(pdf):
        if pdf.__dict__.get("_psa_page_references", (None,))[0] != len(pdf.pages["Kids"]):
            made.append(len(pdf.pages["Kids"]) // 3)
        return real(pdf)

    monkeypatch.setattr(pydyf.PDF, "page_references", property(counted))
    HTML(filename=str(built["html"])).write_pdf(pdf_variant=printer.DEFAULT_VARIANT)
    assert made and len(made) <= 2  # (all pages are added before tagging)


@pytest.mark.slow
def test_the_print_is_the_same_bytes_as_with_pydyfs_own(built, monkeypatch):
    document = HTML(filename=str(built["html"])).render()
    ours = document.write_pdf(pdf_variant=printer.DEFAULT_VARIANT)
    monkeypatch.setattr(pydyf.PDF, "page_references", printer.PYDYF_PAGE_REFERENCES)
    assert document.write_pdf(pdf_variant=printer.DEFAULT_VARIANT) == ours
