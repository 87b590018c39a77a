"""Every path pmjournal uses, in one place.

Search order for the journal: --db, then $PMJOURNAL_DB, then the platform's
user data folder. The config folder (config.toml, user themes) can be moved
with $PMJOURNAL_CONFIG_DIR, which the tests use so they never touch the
user's real files. `pmjournal paths` prints them all.
"""

import os
import sys
from pathlib import Path

APP = "pmjournal"


def _xdg_user_dir(variable: str, default: str) -> Path | None:
    """platformdirs' user folder for APP on Linux in the cases where every platformdirs
    version (3 on) gives the same answer, without importing it (~10 ms of `pmjournal
    add`): `$variable` when it is an absolute path, else `default` under an absolute
    $HOME when `$variable` is unset or empty. None otherwise (another platform,
    Android, a relative or blank variable, no usable HOME): platformdirs decides.
    tests/core/test_paths_xdg.py compares the two."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ:
        return None
    value = os.environ.get(variable, "")
    if value.startswith("/"):
        return Path(os.path.join(value, APP))
    if value:
        return None  # relative or blank: platformdirs versions differ
    home = os.environ.get("HOME", "")
    if not home.startswith("/"):
        return None
    return Path(os.path.join(os.path.expanduser(default), APP))


def journal_path(cli_value: str | None = None) -> Path:
    value = cli_value or os.environ.get("PMJOURNAL_DB")
    if value:
        return Path(value).expanduser()
    folder = _xdg_user_dir("XDG_DATA_HOME", "~/.local/share")
    if folder is None:
        from platformdirs import user_data_path

        folder = user_data_path(APP)
    return folder / "journal.json"


def config_dir() -> Path:
    value = os.environ.get("PMJOURNAL_CONFIG_DIR")
    if value:
        return Path(value).expanduser()
    folder = _xdg_user_dir("XDG_CONFIG_HOME", "~/.config")
    if folder is None:
        from platformdirs import user_config_path

        folder = user_config_path(APP)
    return folder


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"
