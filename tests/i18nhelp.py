"""Finding a string a person reads that is not marked for translation (docs/translating.md).

An AST scan of calls that show their arguments (print, errors, notices, widgets' labels)
and of keyword arguments that are shown (help=, title=, placeholder=...): a string
literal with letters in it must be inside _(), N_(), ngettext() or pgettext()."""

import ast
import re
from pathlib import Path

_SHOWN_BY = {"print", "_out", "PmjournalError", "ValidationError", "ArgumentTypeError", "add_argument_group", "Text"}
_SHOWN_AS = {"help", "description", "epilog"}
_MARKS = {"_", "N_", "ngettext", "pgettext"}
# Beyond the command line: the core's errors, and what the terminal app shows.
SHOWN_ANYWHERE = _SHOWN_BY | {
    "NotFound",
    "StoreError",
    "DateError",
    "JournalDamaged",
    "JournalLocked",
    "notify",
    "Label",
    "Static",
    "Button",
    "RadioButton",
    "Option",
    "Content",
    "Hit",
    "DiscoveryHit",
}
SHOWN_AS_ANYWHERE = _SHOWN_AS | {"title", "placeholder", "tooltip", "label", "message", "border_title"}


def _letters(node) -> str:
    """The words of a string constant or f-string (its constant parts), without the program's name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return ""
    # The program's name, and a lone key letter such as the (y) of a button, are not words to translate.
    return re.sub(r"pmjournal|\([a-z]\)|[^A-Za-z]", "", text)


def _strings(node):
    """The string literals an argument is made of: itself, or the operands of a + or a conditional."""
    if isinstance(node, ast.BinOp):
        yield from _strings(node.left)
        yield from _strings(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    else:
        yield node


def unmarked(path: Path, shown_by=_SHOWN_BY, shown_as=_SHOWN_AS) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in _MARKS:
            continue
        shown = list(node.args) if name in shown_by else []
        shown += [kw.value for kw in node.keywords if kw.arg in shown_as]
        for arg in shown:
            for literal in _strings(arg):
                if _letters(literal):
                    found.append(f"{path.name}:{literal.lineno}: {ast.unparse(literal)[:80]}")
    return found
