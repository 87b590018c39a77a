"""Shipped themes load; user themes add or replace; bad files are reported, not fatal."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pmjournal.tui.themes import KIND_VARIABLES, load_themes, parse_theme

ROOT = Path(__file__).resolve().parent.parent


def test_four_shipped_themes_with_kind_colours():
    loaded = load_themes(None)
    names = {t.name for t in loaded.themes}
    assert {"pmjournal-dark", "pmjournal-light", "pmjournal-high-contrast", "pmjournal-dusk"} <= names
    assert loaded.problems == []
    light = next(t for t in loaded.themes if t.name == "pmjournal-light")
    assert light.dark is False
    for theme in loaded.themes:
        assert all(key in theme.variables for key in KIND_VARIABLES)
        for key in ("primary", "secondary", "accent", "background", "surface", "panel", "warning", "error", "success"):
            assert getattr(theme, key), (theme.name, key)


def test_user_theme_added_and_bad_ones_reported(tmp_path):
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\ndark = false\n')
    (tmp_path / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    (tmp_path / "typo.toml").write_text('name = "typo"\nprimary = "#fff"\nbackgrund = "#000"\n')
    (tmp_path / "garbage.toml").write_text("this is [not toml")
    loaded = load_themes(tmp_path)
    names = {t.name for t in loaded.themes}
    assert "mine" in names and "broken" not in names and "typo" not in names
    problems = "\n".join(loaded.problems)
    assert "broken.toml: primary is not a colour" in problems
    assert "typo.toml: unknown key 'backgrund' (did you mean 'background'?)" in problems
    assert "garbage.toml: cannot read it" in problems
    mine = next(t for t in loaded.themes if t.name == "mine")
    assert mine.variables["kind-decision"] == "#123456"  # falls back to the palette


def test_user_theme_replaces_shipped_one(tmp_path):
    (tmp_path / "x.toml").write_text('name = "pmjournal-dark"\nprimary = "#FF0000"\n')
    dark = next(t for t in load_themes(tmp_path).themes if t.name == "pmjournal-dark")
    assert dark.primary == "#FF0000"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("primary = '#fff'", "needs a name"),
        ("name = 'x'", "needs a primary"),
        ("name='x'\nprimary='#fff'\ndark='yes'", "dark must be"),
    ],
)
def test_parse_errors(tmp_path, content, fragment):
    path = tmp_path / "t.toml"
    path.write_text(content)
    with pytest.raises(ValueError, match=fragment):
        parse_theme(path)


CSS_IN_A_VARIABLE = "red; } Screen { display: none; } X {"


@pytest.mark.parametrize(
    "variables, fragment",
    [
        (f'footer-key-foreground = "{CSS_IN_A_VARIABLE}"', "variables.footer-key-foreground is not a colour"),
        (f'kind-note = "{CSS_IN_A_VARIABLE}"', "variables.kind-note is not a colour"),
        ('"x { y" = "#fff"', "'x { y' is not a variable name"),
        ('block-cursor-text-style = "bold; } Screen {"', "variables.block-cursor-text-style is not a text style"),
        ("scrollbar = 3", "variables.scrollbar must be a colour"),
    ],
)
def test_every_variable_is_checked_before_it_reaches_the_stylesheet(tmp_path, variables, fragment):
    path = tmp_path / "t.toml"
    path.write_text(f'name = "t"\nprimary = "#123456"\n[variables]\n{variables}\n')
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_theme(path)


def test_colour_and_text_style_variables_are_accepted(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        'name = "t"\nprimary = "#123456"\n[variables]\n'
        'footer-key-foreground = "rgb(10,20,30)"\nscrollbar = "ansi_red"\nblock-cursor-text-style = "bold reverse"\n'
    )
    assert parse_theme(path).variables["block-cursor-text-style"] == "bold reverse"


def test_built_wheel_ships_the_themes_and_catalogs(tmp_path):
    """Install the real wheel (not the source tree) and load its themes and its compiled
    translation catalogs from there."""
    build = subprocess.run(
        # The build backend itself (a test dependency), as pip's PEP 517 build calls it: pip's own
        # start-up and its install were two thirds of this test's CPU and nothing it checks.
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("pmjournal-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        shipped = [n for n in zf.namelist() if n.startswith("pmjournal/themes/") and n.endswith(".toml")]
        catalogs = [n for n in zf.namelist() if n.startswith("pmjournal/locale/zh_CN/LC_MESSAGES/") and n.endswith(".mo")]
        assert len(shipped) >= 4
        assert len(catalogs) >= 5
        # A pure-Python wheel is installed by unpacking it into a folder on the path.
        target = tmp_path / "site"
        zf.extractall(target)
    code = (
        "import pmjournal.tui.themes as t; print(t.shipped_dir()); print(sorted(x.name for x in t.load_themes(None).themes))\n"
        "from pmjournal.core import i18n; i18n.set_language('zh_CN'); print(i18n.LOCALE_DIR); print(i18n._('unknown language {tag!r}; known: {known}'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    where, names, locale_dir, chinese = out.stdout.splitlines()
    assert where.startswith(str(target))
    assert "pmjournal-high-contrast" in names
    assert locale_dir.startswith(str(target))
    assert "未知的语言" in chinese
