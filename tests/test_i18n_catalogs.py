"""The translation catalogs are complete and compiled, and the language is chosen
as documented (pmjournal/core/i18n.py)."""

import importlib.util
from pathlib import Path

import pytest

from pmjournal.core import i18n

ROOT = Path(__file__).resolve().parent.parent


def _catalogs():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_string_is_translated_and_compiled():
    """A string marked with _() and friends without a zh_CN translation, a translation
    whose {placeholders} differ from the English, or a .mo older than its .po."""
    found = _catalogs().problems()
    assert found == [], "\n".join(found[:40]) + "\nrun: python scripts/catalogs.py update, translate, compile"


def test_compiled_catalogs_are_in_the_package():
    for area in i18n.AREAS:
        assert (ROOT / "pmjournal" / "locale" / "zh_CN" / "LC_MESSAGES" / f"{area}.mo").is_file()


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, None),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, None),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "en:zh_CN"}, "en"),
        ({"LANG": "C", "LANGUAGE": "zh_CN"}, None),
        ({"LANG": "zh_TW.UTF-8"}, None),
        ({"LANG": "zh_SG.UTF-8"}, "zh_CN"),
    ],
)
def test_language_from_the_locale(env, expected):
    assert i18n.from_environment(env) == expected


def test_flag_beats_config_beats_locale():
    env = {"LANG": "zh_CN.UTF-8"}
    assert i18n.resolve(None, None, env) == "zh_CN"
    assert i18n.resolve(None, "en", env) == "en"
    assert i18n.resolve("zh_CN", "en", env) == "zh_CN"
    assert i18n.resolve(None, None, {}) == "en"


def test_using_changes_only_the_block_and_this_thread():
    import threading

    i18n.set_language("en")
    message = "unknown language {tag!r}; known: {known}"
    seen = []
    with i18n.using("zh_CN"):
        assert i18n._(message) != message
        worker = threading.Thread(target=lambda: seen.append(i18n._(message)))
        worker.start()
        worker.join()
    assert seen == [message]
    assert i18n._(message) == message


def test_an_unknown_language_is_refused_in_one_line():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.check("fr")


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["add", "note", "x"], ("add", None)),
        (["--db", "add", "list"], ("list", None)),
        (["--db=j.json", "--lang", "zh_CN", "who"], ("who", "zh_CN")),
        (["who", "--lang=zh_CN"], ("who", "zh_CN")),
        (["add", "note", "list"], ("add", None)),
        (["export", "--lang", "zh_CN"], ("export", None)),  # the document's language, not the interface's
        (["--lang", "zh_CN", "export", "--lang", "en"], ("export", "zh_CN")),
        (["--help"], (None, None)),
        (["ad", "note"], (None, None)),
        ([], (None, None)),
    ],
)
def test_the_command_and_language_are_read_before_argparse(argv, expected):
    from pmjournal.cli.parser import asked

    assert asked(argv) == expected


def test_an_abbreviated_lang_option_still_sets_the_language(tmp_path, capsys):
    """argparse accepts `--la` for `--lang`; asked() does not read it, so the language is set after parsing."""
    from pmjournal.cli import main

    db = tmp_path / "j.json"
    try:
        assert main(["--db", str(db), "--la", "zh_CN", "paths"]) == 0
        assert i18n.language() == "zh_CN"
    finally:
        i18n.set_language("en")


def test_every_shown_string_in_the_package_is_marked():
    """Errors raised in the core, notices, labels, buttons, titles and placeholders in the
    app, and everything the command line prints: marked, so the catalogs check sees them.
    The demo journal's titles are user data (the journal's content), not the interface."""
    from i18nhelp import SHOWN_ANYWHERE, SHOWN_AS_ANYWHERE, unmarked

    package = ROOT / "pmjournal"
    found = [
        line
        for path in sorted(package.rglob("*.py"))
        if path.name != "demo.py"
        for line in unmarked(path, SHOWN_ANYWHERE, SHOWN_AS_ANYWHERE)
    ]
    assert found == [], "mark these with _() or N_():\n" + "\n".join(found)
