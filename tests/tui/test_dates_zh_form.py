"""The entry form's When field with Chinese dates (issue 17): the preview beside it
says how the typed date was read, in the interface language, and the entry saves it."""

import asyncio
import functools
from datetime import datetime

import pytest
from dateutil import tz
from test_forms import FORMS_CSS
from textual import events
from textual.app import App
from textual.widgets import Label
from tuihelp import case, wait_for

from pmjournal.core import i18n
from pmjournal.tui.forms import EntryForm
from pmjournal.tui.session import JournalSession

SIZE = (120, 40)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=tz.gettz("Asia/Shanghai"))  # a Wednesday
UNSET = object()


def pilot_test(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


class FormApp(App):
    CSS_PATH = FORMS_CSS  # as the app reads it (test_forms.FormsApp)

    def __init__(self, journal):
        super().__init__()
        self.journal = journal
        self.result = UNSET

    def on_mount(self) -> None:
        form = EntryForm(JournalSession(self.journal), "note", when="", clock=lambda: NOW)
        self.push_screen(form, self.finished)

    def finished(self, result) -> None:
        self.result = result


async def type_text(pilot, text: str) -> None:
    """Each character as the key a terminal sends for it (a CJK character, an IME's
    output, is a printable key like a letter)."""
    for ch in text:
        pilot.app.post_message(events.Key("space" if ch == " " else ch, ch))
    await pilot.pause()


async def preview_after_typing(pilot, text: str) -> Label:
    pilot.app.screen.query_one("#f-occurred_at").focus()
    await type_text(pilot, text)
    return pilot.app.screen.query_one("#preview-occurred_at", Label)


@pytest.fixture
def chinese():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


async def preview_after_retyping(pilot, text: str) -> Label:
    """The preview once the When field holds only `text`, typed key by key (each case of a
    test starts from an empty field in the same form: opening a form is most of a case's CPU)."""
    pilot.app.screen.query_one("#row-occurred_at").set_raw("")
    await pilot.pause()
    return await preview_after_typing(pilot, text)


@pilot_test
async def test_preview_in_english_reads_a_chinese_date_and_says_why_one_is_refused(journal):
    app = FormApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        with case("a Chinese date read back in English"):
            preview = await preview_after_retyping(pilot, "昨天 15:00")
            assert str(preview.content) == "Tue 24 Nov 2026 15:00 +08:00"
            assert not preview.has_class("-bad")
        with case("a Chinese date refused"):
            preview = await preview_after_retyping(pilot, "下午15点")
            assert "下午" in str(preview.content) and "1" in str(preview.content)
            assert preview.has_class("-bad")


PREVIEWS_IN_CHINESE = [
    ("昨天 15:00", "2026年11月24日 周二 15:00 +08:00"),
    ("上周五", "2026年11月20日 周五 00:00 +08:00"),
    ("3天前", "2026年11月22日 周日 10:00 +08:00"),
    ("yesterday 15:00", "2026年11月24日 周二 15:00 +08:00"),
]


@pilot_test
async def test_preview_in_chinese(journal, chinese):
    app = FormApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        for typed, shown in PREVIEWS_IN_CHINESE:
            with case(typed):
                preview = await preview_after_retyping(pilot, typed)
                assert str(preview.content) == shown
                assert not preview.has_class("-bad")


@pilot_test
async def test_a_chinese_date_is_saved_as_the_preview_said(journal, chinese):
    app = FormApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#row-title").set_raw("定价评审")
        preview = await preview_after_typing(pilot, "昨天下午3点")
        assert str(preview.content) == "2026年11月24日 周二 15:00 +08:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.result is not UNSET)
    assert app.result["occurred_at"] == "2026-11-24T15:00:00+08:00"
    assert journal.get(f"#{app.result['seq']}")["title"] == "定价评审"
