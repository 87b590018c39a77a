"""Every path pmjournal uses, in one place.

Search order for the journal: --db, then $PMJOURNAL_DB, then the platform's
user data folder. The config folder (config.toml, user themes) can be moved
with $PMJOURNAL_CONFIG_DIR, which the tests use so they never touch the
user's real files. `pmjournal paths` prints them all.
"""

import os
from pathlib import Path

APP = "pmjournal"


def journal_path(cli_value: str | None = None) -> Path:
    value = cli_value or os.environ.get("PMJOURNAL_DB")
    if value:
        return Path(value).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP) / "journal.json"


def config_dir() -> Path:
    value = os.environ.get("PMJOURNAL_CONFIG_DIR")
    if value:
        return Path(value).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP)


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"
