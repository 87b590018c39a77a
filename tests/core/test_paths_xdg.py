"""paths.py finds the default journal and config folder without platformdirs on Linux,
in the cases where that is safe: it must name the folder platformdirs names, always."""

import sys

import platformdirs
import pytest

from pmjournal.core import paths

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is for Linux only")

HOMES = [None, "/home/dana", "/home/dana/", "/", "//srv//dana", "relative/home", "", "/home/a b", "/home/张伟"]
VALUES = [None, "", " ", "/x", "/x/", "//x", "/x/../y", "rel", " /x", "/x ", "~/cfg", "/"]


def platformdirs_answer(kind: str):
    try:
        if kind == "config":
            return platformdirs.user_config_path(paths.APP)
        return platformdirs.user_data_path(paths.APP) / "journal.json"
    except Exception as err:  # whatever it does, we must do the same
        return type(err)


def our_answer(kind: str):
    try:
        return paths.config_dir() if kind == "config" else paths.journal_path()
    except Exception as err:
        return type(err)


@pytest.mark.parametrize("kind, variable", [("config", "XDG_CONFIG_HOME"), ("data", "XDG_DATA_HOME")])
def test_default_folders_are_platformdirs_folders(monkeypatch, kind, variable):
    monkeypatch.delenv("PMJOURNAL_CONFIG_DIR", raising=False)
    monkeypatch.delenv("PMJOURNAL_DB", raising=False)
    shortcut = 0
    for home in HOMES:
        for value in VALUES:
            for name, setting in (("HOME", home), (variable, value)):
                if setting is None:
                    monkeypatch.delenv(name, raising=False)
                else:
                    monkeypatch.setenv(name, setting)
            default = "~/.config" if kind == "config" else "~/.local/share"
            if paths._xdg_user_dir(variable, default) is not None:
                shortcut += 1
            assert our_answer(kind) == platformdirs_answer(kind), (home, value)
    assert shortcut >= 40  # the common cases do take the shortcut


def test_android_is_left_to_platformdirs(monkeypatch):
    monkeypatch.setenv("HOME", "/home/dana")
    monkeypatch.setenv("ANDROID_DATA", "/data")
    assert paths._xdg_user_dir("XDG_CONFIG_HOME", "~/.config") is None
