"""The Welsh edition hyphenated in Welsh (issue 30): pyphen has no Welsh dictionary, so
psa-report ships hyph-utf8's Welsh patterns (psa_report/hyphenation/hyph_cy.dic) and
registers them with pyphen before printing (printer.register_hyphenation); a Welsh word
longer than its column is split at a point the Welsh patterns give."""

from __future__ import annotations

import pyphen
import pytest
from conftest import edit, run
from test_layout_shape import make_plan, read_pages

from psa_report import printer

DICTIONARY = printer.HYPHENATION / "hyph_cy.dic"


@pytest.fixture
def welsh() -> pyphen.Pyphen:
    # left 2, right 3: the hyphenmins hyph-cy.tex gives for Welsh
    return pyphen.Pyphen(filename=str(DICTIONARY), left=2, right=3)


# Each expectation worked out by hand from the patterns hyph-cy.pat.txt has for the word,
# the number between two letters the largest of the patterns' there; an odd one is a
# hyphenation point, none within 2 letters of the start or 3 of the end.
HAND = {
    # c y m | d e i t h | a s | o l: "cym3" gives 3 after "cym" ("m1" 1, "md2" 2 after
    # the d); "ith3a" 3 after "cymdeith" ("h1as" 1, "2ith1" 1); "s1" 1 after "cymdeithas",
    # 2 letters from the end, too near it; "e2i", "2eit", "t2h" are even.
    "cymdeithasol": "cym-deith-asol",
    # p a r t | n e r | i a e t h: "t1n2" 1 after "part" (2 after the n); "er3i" 3 after
    # "partner" ("1ia" 1, "3iaet" 3); "p2a", "2ar", "2ria", "ri2", "e2t", "t2h" even;
    # "eth1" is at the end.
    "partneriaeth": "part-ner-iaeth",
    # g w e i t h | r e d u: "th3red" 3 after "gweith" ("2ith1" 1, "h2r" 2); "gw2",
    # "2eit", "e2i", "t2h" even.
    "gweithredu": "gweith-redu",
}


@pytest.mark.parametrize("word", HAND)
def test_the_shipped_patterns_hyphenate_welsh_words_where_the_patterns_say(welsh, word):
    assert welsh.inserted(word) == HAND[word]
    assert welsh.inserted(word.capitalize()) == HAND[word].capitalize()


def test_the_dictionary_is_in_pyphens_format_with_its_source_and_licence():
    lines = DICTIONARY.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["UTF-8", "LEFTHYPHENMIN 2", "RIGHTHYPHENMIN 3"]
    comments = [line for line in lines if line.startswith("%")]
    assert any("Yannis Haralambous" in line and "MIT" in line for line in comments)
    assert any("hyph-utf8" in line for line in comments)
    licence = (printer.HYPHENATION / "LICENCE").read_text(encoding="utf-8")
    assert "Permission is hereby granted, free of charge" in licence
    assert "Copyright (C) 1996 Yannis Haralambous" in licence
    patterns = [line for line in lines[3:] if line and not line.startswith("%")]
    assert len(patterns) > 6000 and all(" " not in p for p in patterns)


def test_welsh_is_registered_with_pyphen_and_english_keeps_its_own(monkeypatch):
    monkeypatch.setattr(pyphen, "LANGUAGES", dict(pyphen.LANGUAGES))
    monkeypatch.setattr(pyphen, "LANGUAGES_LOWERCASE", dict(pyphen.LANGUAGES_LOWERCASE))
    pyphen.LANGUAGES.pop("cy", None)
    pyphen.LANGUAGES_LOWERCASE.pop("cy", None)
    english = {code: pyphen.LANGUAGES[pyphen.language_fallback(code)]
               for code in ("en", "en-GB", "en_US")}
    assert pyphen.language_fallback("cy") is None  # pyphen has no Welsh of its own
    assert printer.register_hyphenation() == ["cy"]
    # WeasyPrint looks a lang up with language_fallback, then Pyphen(lang=...)
    assert pyphen.language_fallback("cy-GB") == "cy"
    assert pyphen.LANGUAGES["cy"] == DICTIONARY
    assert pyphen.Pyphen(lang="cy", left=2, right=3).inserted("partneriaeth") == \
        "part-ner-iaeth"
    assert {code: pyphen.LANGUAGES[pyphen.language_fallback(code)]
            for code in english} == english
    assert printer.register_hyphenation() == []  # once is enough


def test_the_welsh_edition_splits_a_long_welsh_word_at_welsh_points(runner, tmp_path,
                                                                        welsh):
    """The place name is longer than the update column's line (20 letters): it is split
    only where the Welsh patterns allow (Llan-fair-pwll-gwyn-gyll-...), never where the
    English would (Llanfair-p-wll...)."""
    root = make_plan(tmp_path / "plan", actions=3)
    word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
    edit(root, "actions/report.yaml", "partnership:", "languages: [en, cy]\npartnership:")
    sentence = f"Cynhaliwyd y digwyddiad yn {word} ar Ynys Môn ym mis Tachwedd."
    edit(root, "actions/actions/1.1.1.yaml", "update: ",
         f"update:\n  cy: {sentence!r}\n  en: ")
    result = run(runner, "build", "--format", "pdf", "--language", "cy", "--project",
                 str(root))
    assert result.exit_code == 0, result.output
    words = [w["text"] for page in read_pages(root / "out/progress-report.cy.pdf")
             for w in page["words"]]
    pieces, whole = [], ""
    for piece in words:  # the word's lines, in the order printed (other cells between)
        rest, part = word[len(whole):], piece.removesuffix("-")
        if part and (rest == part or (piece.endswith("-") and rest.startswith(part))):
            pieces.append(piece)
            whole += part
        if whole == word:
            break
    assert whole == word and len(pieces) > 1, f"{word} was not split: {pieces}"
    assert all(piece.endswith("-") for piece in pieces[:-1]), pieces
    cuts = [sum(len(p) - 1 for p in pieces[:i + 1]) for i in range(len(pieces) - 1)]
    allowed = welsh.positions(word)
    assert all(cut in allowed for cut in cuts), (pieces, allowed)
    english = pyphen.Pyphen(lang="en", left=2, right=3).positions(word)
    assert any(cut not in english for cut in cuts), "split where English would split"
