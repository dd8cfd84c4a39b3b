#!/bin/sh
# Refresh the message catalog after words are added to or changed in psa_report/wording.py
# (or any module that words a sentence through Words): extracts every message into the
# template psa_report/locale/psa_report.pot, then merges it into each language's catalog
# (psa_report/locale/<language>/LC_MESSAGES/psa_report.po), keeping every translation
# there. A new message arrives untranslated, a changed one marked "fuzzy": translate
# them (docs/welsh.md), then run the tests (tests/test_welsh_words.py fails while any
# message has no translation).
#
#   scripts/update-catalog.sh            (or: make catalog)
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
[ -x "$PYBABEL" ] || PYBABEL=pybabel
LOCALE=psa_report/locale

"$PYBABEL" -q extract --no-location --sort-by-file --width 88 \
    --add-comments TRANSLATORS: --project psa-report --copyright-holder psa-report \
    --output-file "$LOCALE/psa_report.pot" \
    psa_report/wording.py psa_report/workbook_out.py psa_report/emails.py \
    psa_report/figures_view.py

for po in "$LOCALE"/*/LC_MESSAGES/psa_report.po; do
    language=$(basename "$(dirname "$(dirname "$po")")")
    "$PYBABEL" -q update --no-fuzzy-matching --width 88 --domain psa_report \
        --input-file "$LOCALE/psa_report.pot" --output-dir "$LOCALE" --locale "$language"
done
echo "Refreshed $LOCALE/psa_report.pot and its catalogs: translate what is new (docs/welsh.md)."
