"""Write docs/keys.md from the bindings the app actually declares.

Every class in pmjournal.tui that declares BINDINGS contributes a section, so
a key added, removed or remapped in code shows up here (tests/test_docs.py fails
when this file is stale). Run: python scripts/make_keys_reference.py
"""

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "keys.md"

INTRO = """# Key reference

Every key the app binds, by screen, generated from the code by
`scripts/make_keys_reference.py`. Keys with an id can be remapped in the config
file's `[keymap]` table (`pmjournal paths` shows where), for example:

```toml
[keymap]
people = "P"            # binding id = "key" (several: "P,ctrl+u")
new_decision = "D"
```

The footer shows the main keys of each screen, `?` shows them all, and the
command palette (`ctrl+p`) finds every action by name.
"""

NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter", "space": "space"}


def _keys(binding) -> str:
    if binding.key_display:
        return binding.key_display
    return ", ".join(NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))


def sections() -> list[tuple[str, str, list]]:
    import pmjournal.tui

    found = []
    for info in sorted(pkgutil.walk_packages(pmjournal.tui.__path__, "pmjournal.tui."), key=lambda i: i.name):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not cls.__dict__.get("BINDINGS"):
                continue
            # the first paragraph, whole: its first line alone cut a sentence in two
            doc = " ".join(inspect.cleandoc(cls.__dict__.get("__doc__") or "").split("\n\n")[0].split())
            found.append((f"{info.name.removeprefix('pmjournal.tui.')}.{name}", doc, cls.__dict__["BINDINGS"]))
    return found


def render() -> str:
    from textual.binding import Binding

    out = [INTRO]
    for where, doc, bindings in sections():
        out.append(f"## {where}\n")
        if doc:
            out.append(f"{doc}\n")
        out.append("| key | action | id |\n|---|---|---|")
        for b in bindings:
            if isinstance(b, tuple):
                b = Binding(*b)
            desc = (b.description or b.action).replace("|", "\\|")
            out.append(f"| `{_keys(b)}` | {desc} | {f'`{b.id}`' if b.id else ''} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)
