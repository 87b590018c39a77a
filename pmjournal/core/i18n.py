"""The interface language: gettext catalogs, and which one is in use.

Every string a person reads is written in English in the code and marked with
`_()` (translated where it is used), `N_()` (a constant translated later, where it
is shown), `ngettext()` for counts, or `pgettext()` where one English word has
two meanings. The catalogs are in pmjournal/locale/<lang>/LC_MESSAGES/, one
domain per area of the code (AREAS) so that the areas' translations can be kept
apart; their .mo files are compiled from the .po files by
`python scripts/catalogs.py compile` and shipped in the wheel. A third language is
a folder of catalogs, not code: LANGUAGES lists what the choosers offer.

Only what is shown changes with the language. Stored kinds, roles, statuses and
keys are English data; JSON and CSV keys stay English.

Which language: the one set for this process (`set_language`, from `--lang`, the
config's `language`, or the locale), and inside `using(lang)` another one for the
current thread or task only (an export in its own language while the TUI goes on
in the user's). A new thread starts with the process's language.
"""

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# Catalog domains, one per area of the code: scripts/catalogs.py says which files each holds.
AREAS = ("pmjournal-core", "pmjournal-export", "pmjournal-cli", "pmjournal-tui", "pmjournal-forms")
DEFAULT = "en"
# Offered by `--lang`, the config and the TUI; each name is written in its own language.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}

_cache: dict[str, gettext.NullTranslations] = {}
_process = DEFAULT
_scoped: ContextVar[str | None] = ContextVar("pmjournal_language", default=None)


def normalize(tag: str | None) -> str | None:
    """A locale name or language tag ("zh_CN.UTF-8", "zh-Hans", "en_GB") as one of
    LANGUAGES, or None when it names none of them ("C", "POSIX", "", "fr_FR")."""
    if not tag:
        return None
    base = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if base in LANGUAGES:
        return base
    lang, _sep, region = base.partition("_")
    lang = lang.lower()
    if lang == "zh":
        # Simplified Chinese is what we have; Traditional script users (zh_TW, zh_HK,
        # zh_Hant) read it more easily than English, but say so rather than guess: English.
        return "zh_CN" if region.lower() in ("", "cn", "sg", "hans", "my") else None
    if lang == "en":
        return "en"
    for known in LANGUAGES:
        if known.lower() == base.lower():
            return known
    return None


def from_environment(env: Mapping[str, str] | None = None) -> str | None:
    """The language the locale asks for, as gettext reads it: LANGUAGE (a list, GNU),
    then LC_ALL, LC_MESSAGES, LANG; the first one set decides. None when it names no
    language we have."""
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            # GNU gettext: LANGUAGE (a colon list) counts only when the locale is not C.
            if value not in ("C", "POSIX") and env.get("LANGUAGE"):
                for item in env["LANGUAGE"].split(":"):
                    if (lang := normalize(item)) is not None:
                        return lang
            return normalize(value)
    return None


def resolve(cli: str | None = None, config: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`--lang`, else the config's `language`, else the locale, else English.
    A `--lang` or config value that is not a language we have is refused by the
    caller (check()), not quietly ignored."""
    for chosen in (cli, config):
        if chosen:
            return normalize(chosen) or DEFAULT
    return from_environment(env) or DEFAULT


def check(tag: str) -> str:
    """The language `tag` names, or ValueError with a one-line message."""
    lang = normalize(tag)
    if lang is None:
        known = ", ".join(LANGUAGES)
        raise ValueError(_("unknown language {tag!r}; known: {known}").format(tag=tag, known=known))
    return lang


def translation(lang: str) -> gettext.NullTranslations:
    """Every area's catalog for `lang`, chained; English is the code's own text."""
    if lang not in _cache:
        chain: gettext.NullTranslations = gettext.NullTranslations()
        if lang != DEFAULT:
            found = []
            for domain in AREAS:
                try:
                    found.append(gettext.translation(domain, LOCALE_DIR, languages=[lang]))
                except OSError:
                    continue
            if found:
                chain = found[0]
                for more in found[1:]:
                    chain.add_fallback(more)
        _cache[lang] = chain
    return _cache[lang]


def set_language(lang: str) -> None:
    """The language of this process from now on (`--lang`, config, locale, the TUI's choice)."""
    global _process
    _process = normalize(lang) or DEFAULT


def language() -> str:
    """The language in use here: `using()`'s, else the process's."""
    return _scoped.get() or _process


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Translate into `lang` inside the block, in this thread or task only (None: no change)."""
    if not lang:
        yield language()
        return
    token = _scoped.set(normalize(lang) or DEFAULT)
    try:
        yield language()
    finally:
        _scoped.reset(token)


def _(message: str) -> str:
    return translation(language()).gettext(message)


def N_(message: str) -> str:
    """Marks a constant for the catalog; it is translated with _() where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translation(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translation(language()).pgettext(context, message)
