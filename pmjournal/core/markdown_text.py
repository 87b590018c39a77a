"""User text made safe for the Markdown evidence export (core/markdown.py).

Every piece of user text goes through one of these: `inline` (one line: table cells,
headings, list items), `link_text` (one line inside a link's brackets) or `block`
(bodies and other multi-line text). All backslash-escape the Markdown punctuation
that could start emphasis, code, links, HTML, entities, tables, strikethrough or
math, and `block` also defuses whatever can start a block at the beginning of a
line (headings, lists, quotes, rules, setext underlines, indented code).

Two things are not escaped that way:

- An http(s) URL in text that needs escaping is written as an autolink, `<https://…>`:
  GitHub's extended autolinks take everything up to a space, backslashes included, so
  `a\\_b` in a URL showed its backslash and linked to `a%5C_b`. An autolink's content
  is literal (no escapes, no emphasis) and holds no space, `<` or `>`, so it needs
  none; a `|` in it is written %7C, as every renderer writes it in the href anyway,
  because a table row is cut at `|` before any inline is read. Text that needs no
  escaping at all is left as it is: GitHub links its URLs as typed.
- Characters the text rules refuse (control characters, bidi overrides, invisible
  formatting: model.check_text), which a journal written before the rules or by hand
  may hold, are shown as the terminal views show them (display.visible: ESC as ␛,
  U+202E as `<U+202E>`), so `cat` of an export runs no escape sequence and a
  renderer shows no name reversed. The evidence appendix's JSON keeps the records
  as stored (its hashes cover them): that is not user text rendered here.
"""

import re

from .display import visible
from .model import _ALWAYS, _FORMAT, _INVISIBLE, suspect_in_text

# ASCII punctuation that means something inline in CommonMark or GitHub's dialect:
# \ escape, ` code, * _ emphasis, [ ] links, < autolinks and HTML, & entities,
# # closing heading sequence, | table cells, ~ strikethrough, $ math.
_SPECIAL = "\\`*_[]<&#|~$"
_INLINE = str.maketrans({c: "\\" + c for c in _SPECIAL})
# Most text needs no escaping; a regex scan is much cheaper than translate. The same scan
# finds what display.visible would change (the characters the text rules refuse: on one
# line all of them, in multi-line text the controls and bidi overrides), so ordinary text
# still pays one search. Every character beyond the BMP sends one-line text the slow way
# (visible() then tells an emoji from an invisible tag): a class holding a few scattered
# astral ranges is ~3x slower to search, even over ASCII.
_BMP_FORMAT = "".join(part for part in re.findall(r"(?s).-.|.", _FORMAT) if part < "\U00010000")
_NEEDS_INLINE = re.compile(r"[\\`*_\[\]<&#|~$" + _ALWAYS + "]").search
needs_cell = re.compile(r"[\\`*_\[\]<&#|~$\r\n" + _ALWAYS + _BMP_FORMAT + _INVISIBLE + "\U00010000-\U0010ffff]").search
# What str.rstrip() strips, less the controls among it (VT, FF, FS..US, NEL): a line loses
# its trailing spaces, and a trailing control is shown (visible) rather than dropped unseen.
_SPACES = " \t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# At the start of a line these open a block (list, quote, setext underline).
_LINE_START = frozenset("-+=>")

# An http(s) URL as GitHub finds one (cmark-gfm's autolink extension): the scheme not
# glued to a letter before it (`xhttps://` is not one), a letter or digit after `://`,
# then anything up to a space or `<` (a `>` too: it would end the autolink).
_URL = re.compile(r"(?<![A-Za-z])https?://[^\W_][^\s<>]*", re.IGNORECASE)
# Left outside the link when they end it, as GitHub does: sentence punctuation and quotes.
_TRAILING = ".,;:!?*_~'\""


def _url_end(url: str) -> str:
    """`url` without the punctuation that ends the sentence around it, nor an unbalanced `)`."""
    while True:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            return url


def _escaped(text: str) -> str:
    """`text` (no line breaks, nothing a terminal would run) escaped, its URLs as autolinks."""
    if "://" not in text:  # nearly always: the URL work only where a URL may be
        return text.translate(_INLINE)
    out = []
    last = 0
    for match in _URL.finditer(text):
        start = match.start()
        url = _url_end(match.group())
        out.append(text[last:start].translate(_INLINE))
        out.append(f"<{url.replace('|', '%7C')}>")
        last = start + len(url)
    out.append(text[last:].translate(_INLINE))
    return "".join(out)


def _one_line(text: str) -> str:
    """Text that needs_cell found something in, on one line and visible."""
    if "\r" in text or "\n" in text:
        # A line break would end a table row or a heading.
        text = text.replace("\r", " ").replace("\n", " ")
    return visible(text)


def inline(text) -> str:
    """One line of user text, shown as typed wherever it lands (cell, heading, list item)."""
    if text.__class__ is not str:
        text = str(text)
    return _escaped(_one_line(text)) if needs_cell(text) else text


def cell(text: str) -> str:
    """inline() for text needs_cell has found something in (the entries' hot loop tests first)."""
    return _escaped(_one_line(text))


def link_text(text) -> str:
    """One line of user text inside a link's [brackets]: escaped, never a link of its own
    (a link in a link is not one; GitHub autolinks nothing there, so the escapes read right)."""
    if text.__class__ is not str:
        text = str(text)
    return _one_line(text).translate(_INLINE) if needs_cell(text) else text


def code(text: str) -> str:
    """A hash or id as code; text that is not plain letters and digits stays escaped text."""
    return f"`{text}`" if text.isalnum() else inline(text)


def item(text) -> str:
    """One line of user text opening a list item, where a leading -, >, 1. would open a block."""
    return line_start(inline(text).strip())


def line_start(text: str) -> str:
    if not text:
        return text
    first = text[0]
    if first in _LINE_START:
        return "\\" + text
    if first.isdigit():
        # "1." or "1)" would start an ordered list.
        i = 1
        while i < len(text) and text[i].isdigit():
            i += 1
        if i < len(text) and text[i] in ".)":
            return text[:i] + "\\" + text[i:]
    return text


def _line(text: str) -> str:
    """One non-blank line of a multi-line text (trailing space removed), visible and
    escaped so it can only ever be paragraph text."""
    lead = ""
    if text[0] in " \t":
        stripped = text.lstrip(" \t")
        # Leading spaces would make an indented code block, so keep the
        # indentation visible with non-breaking spaces instead.
        lead = "&nbsp;" * len(text[: len(text) - len(stripped)].replace("\t", "    "))
        text = stripped
    # A URL too, though nothing else needs escaping: lines are joined by a backslash hard break,
    # which GitHub's autolinks took into a bare URL at a line's end (a review: spec%5C).
    if _NEEDS_INLINE(text) or "://" in text:
        text = _escaped(visible(text, multiline=True) if suspect_in_text(text) else text)
    first = text[0]
    if first in _LINE_START or first.isdigit():
        text = line_start(text)
    return lead + text if lead else text


def block(out: list, text, indent: str = "") -> None:
    """Multi-line user text as paragraphs: blank lines separate them, line breaks are kept (hard breaks)."""
    if text.__class__ is not str:
        text = str(text)
    if "\n" not in text and "\r" not in text:
        text = text.rstrip(_SPACES)
        if text:
            out.append(f"{indent}{_line(text)}\n\n")
        return
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    para: list[str] = []
    joiner = "\\\n" + indent
    for raw in text.split("\n"):
        raw = raw.rstrip(_SPACES)
        if raw:
            para.append(_line(raw))
        elif para:
            out.append(indent + joiner.join(para) + "\n\n")
            para = []
    if para:
        out.append(indent + joiner.join(para) + "\n\n")


_ESCAPE = re.compile(r"\\([\\`*_\[\]<&#|~$])")
_AUTOLINK = re.compile(r"<(https?://[^\s<>]*)>", re.IGNORECASE)


def written_inline(value: str) -> bool:
    """Whether `value` is what inline() writes for some text: a part of a document whose
    text the exporter chose (its journal's name and path) holds no markup of its own, nor a
    character inline() would have shown another way."""
    text = _ESCAPE.sub(r"\1", _AUTOLINK.sub(r"\1", value))
    return inline(text) == value

