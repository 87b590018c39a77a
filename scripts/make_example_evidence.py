"""Write docs/example-evidence.md: the Markdown evidence export of the demo journal,
and docs/zh/example-evidence.md: the same in Simplified Chinese (`export --lang zh_CN`).

Run: python scripts/make_example_evidence.py   (tests/test_markdown_export.py and
tests/test_i18n_export.py fail if they are stale)

The demo is built for a fixed reference date in a fixed zone and the export gets
a fixed generation time and journal label, so the same code always writes the
same bytes (the demo's ids and recording times derive from that date, so even
the chain head is stable).
"""

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "example-evidence.md"
# The document in each language, and the label its header gives the journal.
DOCS = {"en": DOC, "zh_CN": DOC.parent / "zh" / "example-evidence.md"}
ZONE = timezone(timedelta(hours=8))
REF = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)
LABEL = "Checkout v2 demo journal"
LABELS = {"en": LABEL, "zh_CN": "Checkout v2 演示日志"}


def render(lang: str = "en") -> str:
    # Dates typed without an offset in the demo (review_by, follow_up_by) are
    # read in the local zone; pin it so the output does not depend on the machine.
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    from pmjournal.core import i18n
    from pmjournal.core.demo import write_demo
    from pmjournal.core.markdown import export_markdown
    from pmjournal.core.query import Filter
    from pmjournal.core.store import Journal

    with tempfile.TemporaryDirectory(prefix="pmjournal-example-") as folder:
        journal = Journal(Path(folder) / "journal.json", user="Dana Whitfield")
        write_demo(journal, ref=REF)
        with i18n.using(lang):
            return export_markdown(journal, Filter(include_retracted=True), generated_at=REF, journal_label=LABELS[lang])


if __name__ == "__main__":
    for lang, doc in DOCS.items():
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(render(lang), encoding="utf-8")
        print(f"wrote {doc}", file=sys.stderr)
