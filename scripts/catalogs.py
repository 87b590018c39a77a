"""Keep the translation catalogs in step with the code (needs Babel: `pip install -e '.[test]'`).

    python scripts/catalogs.py update [AREA...]   # extract the marked strings, merge them into the .po
                                                # of those areas (cli, tui, forms, core, export; default all), compile every .mo
    python scripts/catalogs.py compile   # only compile the .po files into .mo
    python scripts/catalogs.py check     # what tests/test_i18n_catalogs.py runs: exit 1 naming what is missing

One domain per area of the code (pmjournal/core/i18n.py AREAS), so that each area's
.po can be edited on its own. Strings are marked with _(), N_(), ngettext() and
pgettext() (pmjournal/core/i18n.py). A translator's note is a comment starting
`# TRANSLATORS:` on the line before the string.
"""

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pmjournal"
LOCALE = PACKAGE / "locale"
TRANSLATED = ("zh_CN",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
_EXPORT = re.compile(r"^core/(markdown|export)[^/]*\.py$")


def area_of(relative: str) -> str:
    """Which catalog a source file's strings go to (relative to pmjournal/)."""
    if _EXPORT.match(relative):
        return "pmjournal-export"
    if relative.startswith("tui/forms/"):
        return "pmjournal-forms"
    head = relative.split("/", 1)[0]
    if head in ("cli", "tui"):
        return f"pmjournal-{head}"
    return "pmjournal-core"


def templates() -> dict[str, Catalog]:
    from pmjournal.core.i18n import AREAS

    found = {area: Catalog(project="pmjournal", charset="utf-8") for area in AREAS}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        catalog = found[area_of(relative)]
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
        ):
            catalog.add(message, None, [(f"pmjournal/{relative}", lineno)], auto_comments=comments, context=context)
    return found


def po_path(lang: str, area: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{area}.po"


def read(lang: str, area: str) -> Catalog:
    path = po_path(lang, area)
    if not path.exists():
        return Catalog(
            locale=lang,
            domain=area,
            project="pmjournal",
            copyright_holder="the pmjournal authors",
            last_translator="the pmjournal authors",
            language_team=f"{lang}",
            charset="utf-8",
            fuzzy=False,
        )
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=area)


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def update(areas: list[str]) -> None:
    """Merge the code's strings into the .po of `areas` (all when empty) and compile."""
    for area, template in templates().items():
        if areas and area not in areas and area.removeprefix("pmjournal-") not in areas:
            continue
        for lang in TRANSLATED:
            catalog = read(lang, area)
            # The dates stay as they were, so an update that adds nothing changes nothing.
            template.creation_date = catalog.creation_date
            catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
            catalog.obsolete.clear()
            path = po_path(lang, area)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
    compile_all()


def compile_all() -> None:
    for lang in TRANSLATED:
        for po in sorted((LOCALE / lang / "LC_MESSAGES").glob("*.po")):
            po.with_suffix(".mo").write_bytes(mo_bytes(read(lang, po.stem)))


_FIELD = re.compile(r"(?<!\{)\{([^{}!:]*)[^{}]*\}(?!\})")


def _fields(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def problems() -> list[str]:
    """Every msgid in the code without a translation, every translation whose
    placeholders differ from its English, and every .mo older than its .po."""
    found = []
    for area, template in templates().items():
        for lang in TRANSLATED:
            catalog = read(lang, area)
            for message in template:
                if not message.id:
                    continue
                have = catalog.get(message.id, context=message.context)
                where = ", ".join(f"{f}:{n}" for f, n in message.locations[:1])
                english = message.id if isinstance(message.id, str) else message.id[0]
                if have is None or have.fuzzy or not (have.string if isinstance(have.string, str) else all(have.string)):
                    found.append(f"{lang} {area}: no translation for {english!r} ({where})")
                    continue
                strings = [have.string] if isinstance(have.string, str) else list(have.string)
                ids = [message.id] if isinstance(message.id, str) else list(message.id)
                want = set().union(*(_fields(i) for i in ids))
                for s in strings:
                    if _fields(s) != want:
                        found.append(f"{lang} {area}: placeholders of {english!r} differ: {sorted(_fields(s))} vs {sorted(want)}")
            mo = po_path(lang, area).with_suffix(".mo")
            if po_path(lang, area).exists() and (not mo.exists() or mo.read_bytes() != mo_bytes(catalog)):
                found.append(
                    f"{lang} {area}: {mo.relative_to(ROOT)} is not compiled from its .po (run: python scripts/catalogs.py compile)"
                )
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update(argv[2:])
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv))
