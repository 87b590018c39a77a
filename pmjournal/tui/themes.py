"""Themes are validated TOML files: the ones shipped in the package, then the user's.

Shipped themes live in the repository's top-level themes/ folder, which the
wheel carries as pmjournal/themes (hatch force-include). A user theme in
<config>/themes/*.toml with the name of a shipped one replaces it. A bad file
never stops the app: it is skipped and reported, naming the file and the
problem, and the app falls back to a built-in theme.
"""

import difflib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.command import DiscoveryHit, Hit, Hits
from textual.content import Content
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import Theme, ThemeProvider

from ..core.i18n import _

DEFAULT_DARK = "pmjournal-dark"
DEFAULT_LIGHT = "pmjournal-light"
COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
KEYS = {"name", "dark", "variables", *COLOUR_KEYS}
KIND_VARIABLES = tuple(f"kind-{k}" for k in ("decision", "change", "communication", "risk", "incident", "note"))
# Variables are pasted into the app's stylesheet as $name: anything but a plain
# name and a colour (or text style) could end a rule and break every screen.
VARIABLE_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_-]*")


@dataclass
class Loaded:
    themes: list[Theme]
    problems: list[str]  # one line each: "<file>: <what is wrong>"


def shipped_dir() -> Path:
    packaged = resources.files("pmjournal") / "themes"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "themes"  # a source checkout


def parse_theme(path: Path) -> Theme:
    """One theme file, or ValueError saying what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ValueError(_("cannot read it: {err}").format(err=err)) from err
    for key in data:
        if key not in KEYS:
            hint = difflib.get_close_matches(key, KEYS, n=1)
            if hint:
                raise ValueError(_("unknown key {key!r} (did you mean {hint!r}?)").format(key=key, hint=hint[0]))
            raise ValueError(_("unknown key {key!r}").format(key=key))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(_("it needs a name"))
    if "primary" not in data:
        raise ValueError(_("it needs a primary colour"))
    if not isinstance(data.get("dark", True), bool):
        raise ValueError(_("dark must be true or false"))
    colours = {}
    for key in COLOUR_KEYS:
        if key in data:
            colours[key] = _colour(key, data[key])
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(_("[variables] must be a table"))
    for key, value in variables.items():
        if not VARIABLE_NAME.fullmatch(key):
            raise ValueError(_("variables: {key!r} is not a variable name (letters, digits, - and _)").format(key=key))
        if key.endswith("-text-style"):
            _text_style(f"variables.{key}", value)
        else:
            _colour(f"variables.{key}", value)
    return Theme(name=name.strip(), dark=data.get("dark", True), variables=dict(variables), **colours)


def _colour(key: str, value) -> str:
    if not isinstance(value, str):
        raise ValueError(_('{key} must be a colour such as "#5B9BD5"').format(key=key))
    try:
        Color.parse(value)
    except ColorParseError as err:
        raise ValueError(_("{key} is not a colour: {value!r}").format(key=key, value=value)) from err
    return value


def _text_style(key: str, value) -> str:
    words = value.split() if isinstance(value, str) else []
    if not words or not set(words) <= VALID_STYLE_FLAGS:
        raise ValueError(_('{key} is not a text style such as "bold" or "none": {value!r}').format(key=key, value=value))
    return value


def load_themes(user_dir: Path | None) -> Loaded:
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    folders = [shipped_dir()] + ([user_dir] if user_dir and user_dir.is_dir() else [])
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = parse_theme(path)
            except ValueError as err:
                problems.append(f"{path}: {err}")
                continue
            themes[theme.name] = theme
    for theme in themes.values():
        # A user theme may leave out the kind colours: fall back to its palette.
        fallback = {
            "kind-decision": theme.primary,
            "kind-change": theme.secondary or theme.primary,
            "kind-communication": theme.success or theme.primary,
            "kind-risk": theme.warning or theme.primary,
            "kind-incident": theme.error or theme.primary,
            "kind-note": theme.foreground or theme.primary,
        }
        for key in KIND_VARIABLES:
            theme.variables.setdefault(key, fallback[key])
    return Loaded(list(themes.values()), problems)


class ThemeNames(ThemeProvider):
    """Textual's theme palette, each name shown as written: a theme file named "mine [bold]"
    showed as "mine" (Textual's hits and Matcher.highlight read a name as markup)."""

    async def discover(self) -> Hits:
        for name, callback in self.commands:
            yield DiscoveryHit(Content(name), callback, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback in self.commands:
            if (score := matcher.match(name)) > 0:
                yield Hit(score, _highlighted(matcher, name), callback, text=name)


def _highlighted(matcher, name: str) -> Content:
    """Matcher.highlight over the plain name."""
    content = Content(name)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
