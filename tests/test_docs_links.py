"""The documentation's links lead somewhere, and the Chinese docs (docs/zh/) say what the English ones do.

A relative link or image in README.md, docs/*.md or docs/zh/*.md must name a file that
exists, and a `#fragment` into a Markdown file must name one of its headings (as GitHub
writes the anchor) or an explicit `id`/`name`. Code spans and fenced blocks are not links.
"""

import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ZH = DOCS / "zh"
# The Chinese UI's screenshots are written by `python scripts/make_screenshots.py --lang zh_CN`;
# until that has been run once, the Chinese docs' pictures of it are the only links allowed to wait.
ZH_SHOTS = DOCS / "screenshots" / "zh"
# Written by a script, not translated by hand (tests/test_i18n_export.py keeps it current).
GENERATED = {"example-evidence.md"}

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"#{1,6}\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"""\b(?:id|name)=["']([^"']+)["']""")


def translations() -> list[Path]:
    """docs/zh/'s hand-made translations."""
    return [p for p in sorted(ZH.glob("*.md")) if p.name not in GENERATED]


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted(ZH.glob("*.md"))]


def prose_lines(text: str):
    """The lines outside fenced code blocks."""
    fence = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        yield line


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation (full-width too) dropped,
    spaces to hyphens; letters of any script, digits, `-` and `_` kept."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose_lines(path.read_text(encoding="utf-8")):
        if m := HEADING.match(line):
            base = slug(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        found.update(HTML_ANCHOR.findall(line))
    return found


def links(path: Path) -> list[str]:
    out = []
    for line in prose_lines(path.read_text(encoding="utf-8")):
        out.extend(LINK.findall(re.sub(r"`[^`]*`", "", line)))
    return out


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path):
    broken = []
    # Each linked document's anchors read once: the example evidence links to its own
    # entries hundreds of times, and reading it per link made this quadratic.
    anchors_of = functools.cache(anchors)
    for target in links(doc):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _sep, fragment = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        if not resolved.exists():
            if resolved.is_relative_to(ZH_SHOTS) and not ZH_SHOTS.exists():
                continue
            broken.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors_of(resolved):
            broken.append(f"{target}: no heading or anchor '{fragment}' in {resolved.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_zh_screenshots_once_made_are_all_there():
    """Once the Chinese screenshots exist, every one the Chinese docs show must."""
    if not ZH_SHOTS.exists():
        pytest.skip("docs/screenshots/zh/ not generated yet: python scripts/make_screenshots.py --lang zh_CN")
    shown = {(doc.parent / t).resolve() for doc in ZH.glob("*.md") for t in links(doc) if "screenshots/zh/" in t}
    assert shown and all(p.exists() for p in shown)


def test_every_zh_doc_has_its_english_original_and_both_link_to_each_other():
    for zh in translations():
        english = ROOT / "README.md" if zh.name == "README.md" else DOCS / zh.name
        assert english.exists(), f"{zh.relative_to(ROOT)} translates no English document"
        assert english.resolve() in {(zh.parent / t.partition("#")[0]).resolve() for t in links(zh)}, (
            f"{zh.relative_to(ROOT)} does not link to its English original"
        )
    for name, zh in (("README.md", ZH / "README.md"), ("docs/guide.md", ZH / "guide.md")):
        english = ROOT / name
        head = "\n".join(english.read_text(encoding="utf-8").splitlines()[:5])
        assert any((english.parent / t).resolve() == zh.resolve() for t in LINK.findall(head)), (
            f"{name} does not link to {zh.relative_to(ROOT)} at its top"
        )


def fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.M | re.S)


def test_zh_readme_gives_the_same_commands_word_for_word():
    english = fenced_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    chinese = fenced_blocks((ZH / "README.md").read_text(encoding="utf-8"))
    assert english and english == chinese


def test_zh_docs_say_how_to_choose_chinese():
    """docs/translating.md's order: --lang, the config's language, the locale; export --lang for the document."""
    for name in ("README.md", "guide.md"):
        text = (ZH / name).read_text(encoding="utf-8")
        for needed in ("--lang zh_CN", 'language = "zh_CN"', "LANG=zh_CN.UTF-8", "export --lang zh_CN", "pmjournal paths"):
            assert needed in text, f"docs/zh/{name} does not mention {needed}"


def test_zh_docs_code_blocks_are_the_english_ones():
    """Commands, options and config stay as they are: each fenced block of a Chinese doc is
    one of its English original's, or (a few additions) runs only options the CLI has."""
    cli = (DOCS / "cli.md").read_text(encoding="utf-8")
    for zh in translations():
        english = ROOT / "README.md" if zh.name == "README.md" else DOCS / zh.name
        originals = fenced_blocks(english.read_text(encoding="utf-8"))
        for block in fenced_blocks(zh.read_text(encoding="utf-8")):
            if block in originals:
                continue
            options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", block))
            unknown = sorted(o for o in options if o not in cli)
            assert not unknown, f"{zh.relative_to(ROOT)}: a block not in {english.name} uses {unknown}:\n{block}"


def test_zh_guide_names_the_blame_causes_as_the_core_does():
    """The guide's table of blame causes is core/causes.py's: every key, with its Chinese label."""
    from pmjournal.core.causes import CAUSES

    text = (ZH / "guide.md").read_text(encoding="utf-8")
    pairs = dict(re.findall(r"\| `([a-z-]+)` \| ([^|`]+?) (?=\|)", text))
    assert pairs == {c.key: c.zh for c in CAUSES}


def interface_texts() -> list[str]:
    """Every message of the catalogs, English and translated, and the code's own strings."""
    from babel.messages.pofile import read_po

    texts = []
    for po in sorted((ROOT / "pmjournal" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                for text in (message.id, message.string):
                    texts.extend([text] if isinstance(text, str) else text)
    texts.extend(p.read_text(encoding="utf-8") for p in sorted((ROOT / "pmjournal").rglob("*.py")))
    return texts


def test_zh_docs_quote_the_interface_as_it_is():
    """What a Chinese doc puts in “quotes” is the interface's own wording (a label, a command's
    name in the palette, a message), in Chinese or as the English interface says it, so the
    docs and the screens do not drift apart. (A message with its values filled in goes in `code`.)"""
    texts = interface_texts()
    missing = []
    for zh in translations():
        for quoted in re.findall(r"“([^”]+)”", zh.read_text(encoding="utf-8")):
            if not any(quoted in text for text in texts):
                missing.append(f"{zh.name}: “{quoted}”")
    assert not missing, "not an interface text: " + ", ".join(missing)
