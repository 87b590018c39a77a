"""The forms and dialogs in Simplified Chinese (issue 17), driven through Pilot.

Each screen is opened with the interface pinned to zh_CN and what the terminal shows
is read back as text: no English word of the interface may be left on it (words of
three letters or more; the user's data, key names, file formats and product names are
allowed). What is saved never changes with the language.
"""

import re
from datetime import date

import pytest
from test_forms import UNSET, FormsApp, clock, field, fill, finished, seed_people
from textual.widgets import Input, Label
from tuihelp import drawn, pilot_test, wait_for

from pmjournal.core import config, i18n
from pmjournal.core.loops import open_loops
from pmjournal.core.model import ENTRY_KINDS
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal
from pmjournal.tui.forms import AmendForm, EntryForm, ExportDialog, FirstRunDialog, KindPicker, RetractDialog
from pmjournal.tui.forms.confirm import ConfirmDialog
from pmjournal.tui.forms.done import DoneDialog
from pmjournal.tui.session import JournalSession

SMALL = (80, 24)
# Tall enough that every field of the longest form is on screen at once (the check reads the screen).
TALL = (120, 90)
TODAY = date(2026, 11, 25)

# Words that stay as they are in Chinese: keys as printed on the keyboard, formats and
# products by their own names, a config key, a language named in itself.
ALLOWED = {
    "ctrl",
    "shift",
    "tab",
    "esc",
    "enter",
    "Markdown",
    "JSON",
    "CSV",
    "SSH",
    "RSA",
    "ssh",
    "agent",
    "keygen",
    "pmjournal",
    "signing_key",
    "English",
    "Dana",  # the example name in the commitments hint: a person is not translated
}
WORD = re.compile(r"[A-Za-z_]{3,}")


@pytest.fixture
def zh():
    """The interface in Simplified Chinese for this test only (conftest sets English before each test)."""
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


# What a person typed into an entry: allowed on screen. Not its kind, status or keys:
# those are stored in English and must be shown translated.
TYPED = ("title", "owner", "requested_by", "approved_by", "consulted", "informed", "raised_to", "participants")


def words_of(*values) -> set[str]:
    """The words of user data: strings, lists of them, or an entry's typed fields."""
    found = set()
    for value in values:
        if isinstance(value, dict):
            found |= words_of(*(value.get(name) or "" for name in TYPED))
        elif isinstance(value, list | tuple):
            found |= words_of(*value)
        else:
            found |= set(WORD.findall(str(value)))
    return found


def english_left(app, *data) -> list[str]:
    """The English words on screen that are not the user's data nor allowed."""
    allowed = ALLOWED | words_of(*data) | {"enter"}
    # A dialog over another cuts the words of the one below at its edge ("ente|", "Ship" of
    # a title): a piece of an allowed word is allowed.
    return sorted({w for w in WORD.findall(drawn(app)) if not any(w in a for a in allowed)})


def zh_form(journal, kind, **kwargs):
    return FormsApp(lambda: EntryForm(JournalSession(journal), kind, clock=clock, **kwargs))


# -- every screen, nothing English left -----------------------------------


@pytest.mark.parametrize("kind", ENTRY_KINDS)
@pilot_test
async def test_new_entry_form_is_chinese_and_its_labels_fit_at_80_columns(zh, journal, kind):
    from rich.cells import cell_len

    from pmjournal.tui.forms.base import ordered_fields

    app = zh_form(journal, kind)
    async with app.run_test(size=TALL) as pilot:
        await pilot.pause()
        text = drawn(app)
        assert english_left(app) == [], text
        assert "现在" in text  # the date field starts with "now" as a Chinese user would type it
        assert "2026年11月25日" in text  # and its preview reads the date back in Chinese
        # Every field label is whole at 80x24 (a Chinese character takes two cells): the same
        # form, its terminal made smaller, rather than a second form opened at that size.
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert app.size == SMALL
        for spec in ordered_fields(kind):
            label = app.screen.query_one(f"#row-{spec.name} > .pm-label", Label)
            assert cell_len(str(label.content)) <= label.content_region.width, (kind, spec.name, str(label.content))
    assert app.result is UNSET


@pilot_test
async def test_kind_picker_and_errors_beside_the_fields_are_chinese(zh, journal):
    app = FormsApp(KindPicker)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert english_left(app) == [], drawn(app)
        assert "决策" in drawn(app)
    # What the forms say themselves beside a field: a multi-line paste refused, a date too long.
    app = zh_form(journal, "decision")
    async with app.run_test(size=TALL) as pilot:
        await fill(app, pilot, {"occurred_at": "1" * 300})
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = drawn(app)
        assert "太长了" in text, text
        assert english_left(app) == [], text


@pilot_test
async def test_amend_form_is_chinese(zh, journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: AmendForm(JournalSession(journal), "#1", clock=clock))
    async with app.run_test(size=TALL) as pilot:
        await pilot.pause()
        assert english_left(app, entry) == [], drawn(app)
        # Nothing changed: said in Chinese, under the form.
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = drawn(app)
        assert "没有改动" in text
        assert english_left(app, entry) == [], text


@pilot_test
async def test_retract_dialog_and_its_confirmation_are_chinese(zh, journal):
    entry = seed_people(journal)
    app = FormsApp(lambda: RetractDialog(JournalSession(journal), entry["id"]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        text = drawn(app)
        assert "撤回 #1（决策）" in text
        assert english_left(app, entry) == [], text
        await pilot.press("enter")  # no reason yet
        await pilot.pause()
        assert "必须写明原因" in drawn(app)
        await pilot.press(*"wrong", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = drawn(app)
        assert "撤回 (y)" in text and "返回 (n)" in text  # the buttons whole, keys still y and n
        assert english_left(app, entry, "wrong") == [], text
        await pilot.press("y")
        await finished(pilot, app)
    assert app.result["reason"] == "wrong"


@pilot_test
async def test_done_dialog_is_chinese_for_every_loop_type(zh, journal):
    journal.add("communication", {"title": "Call with Acme", "occurred_at": "2026-11-02", "follow_up_by": "2026-11-10"})
    journal.add("decision", {"title": "Ship v2", "owner": "Lee", "occurred_at": "2026-11-01", "review_by": "2026-11-22"})
    journal.add(
        "communication",
        {"title": "Pricing sync", "occurred_at": "2026-11-03", "commitments": ["Sam; send the sheet; 2026-11-19"]},
    )
    journal.add("risk", {"title": "Budget cut", "owner": "Dana", "raised_to": ["Marcus"], "occurred_at": "2026-11-09"})
    session = JournalSession(journal)
    loops = open_loops(session.views(session.load()).values(), TODAY)
    assert {lp.type for lp in loops} == {"follow-up", "review", "commitment", "answer"}
    for loop in loops:
        app = FormsApp(lambda loop=loop: DoneDialog(session, loop))
        async with app.run_test(size=SMALL) as pilot:
            await pilot.pause()
            text = drawn(app)
            assert english_left(app, loop.view, loop.what, list(loop.owes)) == [], text
            assert any(word in text for word in ("跟进已发出", "复核已完成", "已兑现", "已收到答复")), text


@pilot_test
async def test_export_dialog_is_chinese_and_offers_the_document_language(zh, journal, tmp_path):
    seed_people(journal)
    app = FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), today=TODAY, directory=tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        text = drawn(app)
        assert english_left(app, str(tmp_path)) == [], text  # the folder a name alone goes in: data
        assert "导出 1 条记录" in text and "文档语言" in text and "简体中文" in text
        # The document's language is the interface's unless chosen otherwise.
        assert app.screen.query_one("#language").value == "zh_CN"


@pilot_test
async def test_first_run_dialog_is_chinese(zh):
    app = FormsApp(lambda: FirstRunDialog("pat"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        text = drawn(app)
        assert "欢迎使用 pmjournal" in text
        assert english_left(app, "pat") == [], text


@pilot_test
async def test_a_choice_is_shown_in_chinese_and_saved_in_english(zh, journal):
    """The status list shows 已否决; the record says "rejected". Chosen by keyboard: enter opens the list."""
    app = zh_form(journal, "decision")
    async with app.run_test(size=TALL) as pilot:
        await fill(app, pilot, {"title": "换数据库", "owner": "王芳"})
        field(app.screen, "status").focus()
        await pilot.press("enter", "down")
        await pilot.pause()
        text = drawn(app)
        assert "已否决" in text and "rejected" not in text, text
        await pilot.press("enter", "ctrl+s")
        await finished(pilot, app)
    assert app.result["status"] == "rejected"


# -- the language changes nothing that is saved ----------------------------


DECISION = {
    "title": "Use Postgres for billing",
    "owner": "Alice Wong",
    "approved_by": "Bob Li, 王芳",
    "status": "proposed",
    "options": "Postgres\nMySQL",
    "rationale": "团队熟悉",
    "review_by": "2026-12-01",
    "causes": ("decision", "resources"),
    "tags": "db billing",
}
INCIDENT = {"title": "Checkout down", "owner": "李娜", "severity": "high", "causes": ("communication",)}
# Differ between any two saves whatever the language: the record's identity and its place in the chain.
VARYING = {"id", "recorded_at", "hash", "prev_hash"}


async def save_form(db, kind: str, values: dict, lang: str) -> dict:
    i18n.set_language(lang)
    try:
        journal = Journal(db, user="Pat PM")
        app = FormsApp(lambda: EntryForm(JournalSession(journal), kind, clock=clock))  # "now" / "现在" as the form starts
        async with app.run_test(size=TALL) as pilot:
            await fill(app, pilot, values)
            await pilot.press("ctrl+s")
            await finished(pilot, app)
        assert isinstance(app.result, dict), app.result
        return Journal(db).records()[-1]
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(("kind", "values"), [("decision", DECISION), ("incident", INCIDENT)])
@pilot_test
async def test_a_record_saved_in_chinese_is_the_same_as_in_english(tmp_path, kind, values):
    english = await save_form(tmp_path / "en" / "j.json", kind, values, "en")
    chinese = await save_form(tmp_path / "zh" / "j.json", kind, values, "zh_CN")
    assert {k: v for k, v in chinese.items() if k not in VARYING} == {k: v for k, v in english.items() if k not in VARYING}
    assert english["kind"] == kind and english["occurred_at"] == "2026-11-25T10:00:00+08:00"
    if kind == "decision":
        assert english["status"] == "proposed"  # the English value, not 提议 (shown only)
        assert english["causes"] == ["decision", "resources"]


# -- the language choices ---------------------------------------------------


@pilot_test
async def test_first_run_language_choice_saves_the_config_and_switches():
    assert i18n.language() == "en"
    app = FormsApp(lambda: FirstRunDialog("pat"))
    try:
        async with app.run_test(size=SMALL) as pilot:
            assert "Welcome to pmjournal" in drawn(app)
            await pilot.press("tab", "right", "enter")  # to the language, the next one, chosen
            await pilot.pause()
            assert i18n.language() == "zh_CN"
            assert "欢迎使用 pmjournal" in drawn(app)  # the dialog switched at once
            assert app.screen.focused is field(app.screen, "name")  # back to the name, where enter saves
            assert english_left(app, "pat") == [], drawn(app)
            await pilot.press("enter")
            await finished(pilot, app)
        assert app.result == "pat"
        saved = config.load()
        assert (saved.name, saved.language) == ("pat", "zh_CN")
    finally:
        i18n.set_language("en")


@pilot_test
async def test_first_run_in_english_keeps_english():
    app = FormsApp(lambda: FirstRunDialog("pat"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("enter")
        await finished(pilot, app)
    assert i18n.language() == "en"
    assert config.load().language == ""  # not chosen, so not pinned: the locale goes on choosing


async def export_with(journal, tmp_path, keys: tuple[str, ...]) -> str:
    app = FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), today=TODAY, directory=tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#f-path", Input)
        await pilot.press("enter")
        await finished(pilot, app)
    return app.result.read_text(encoding="utf-8")


@pilot_test
async def test_export_dialog_language_choice_gives_a_chinese_document(journal, tmp_path):
    seed_people(journal)
    (tmp_path / "en").mkdir()
    (tmp_path / "zh").mkdir()
    english = await export_with(journal, tmp_path / "en", ())
    # English interface; tab from the path to the document's language, opened, the next one, chosen.
    chinese = await export_with(journal, tmp_path / "zh", ("tab", "enter", "down", "enter"))
    assert i18n.language() == "en"  # the interface did not change
    assert english.splitlines()[0].startswith("# Evidence trail")
    assert re.search(r"[\u4e00-\u9fff]", chinese.splitlines()[0]), chinese.splitlines()[0]
    assert "Ship v2 on Friday" in chinese  # the data as it was typed


@pilot_test
async def test_export_dialog_in_chinese_can_write_an_english_document(zh, journal, tmp_path):
    seed_people(journal)
    document = await export_with(journal, tmp_path, ("tab", "enter", "up", "enter"))
    assert document.splitlines()[0].startswith("# Evidence trail"), document.splitlines()[0]
    assert i18n.language() == "zh_CN"


@pilot_test
async def test_the_document_language_is_offered_for_markdown_only(zh, journal, tmp_path):
    app = FormsApp(lambda: ExportDialog(JournalSession(journal), Filter(), today=TODAY, directory=tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("shift+tab", "down", "enter")  # JSON: its keys stay English
        await pilot.pause()
        assert app.screen.query_one("#language").disabled
        assert field(app.screen, "path").value == "pmjournal-2026-11-25.json"


@pilot_test
async def test_first_run_in_the_app_switches_the_screens_behind_it(demo_db):
    """Chosen on the first record: the trail behind the dialog speaks Chinese at once, and so does
    the form that follows."""
    from tuihelp import loaded

    from pmjournal.core.config import Config
    from pmjournal.tui.app import build_app

    app = build_app(demo_db, Config())  # no name yet: the first record asks
    try:
        async with app.run_test(size=SMALL) as pilot:
            await loaded(pilot)
            app.clear_notifications()
            assert "New" in drawn(app)  # the footer, in English
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, KindPicker))
            await pilot.press("d")  # the kind first, then the name
            await wait_for(pilot, lambda: isinstance(app.screen, FirstRunDialog))
            await pilot.press("tab", "right", "enter")
            await wait_for(pilot, lambda: i18n.language() == "zh_CN")
            await pilot.pause()
            assert "新建" in drawn(app)  # the trail's footer, behind the dialog
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, EntryForm))
            await pilot.pause()
            assert "标题" in drawn(app)  # the form that follows
        assert config.load().language == "zh_CN"
    finally:
        i18n.set_language("en")


@pilot_test
async def test_signing_key_dialog_is_chinese(zh, journal):
    from pmjournal.tui.forms import SigningKeyDialog

    app = FormsApp(lambda: SigningKeyDialog(JournalSession(journal)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        text = drawn(app)
        assert "签名密钥" in text
        # ed25519: a key type's name; ~/.ssh/id_ed25519: a path as typed
        assert english_left(app, "id_ed25519") == [], text


@pilot_test
async def test_the_detail_pane_writes_lists_and_an_impact_as_chinese_does(db, make_app, zh):
    """The detail pane showed an impact as "成本: 3 人周; 进度: +2 周; 范围: +1 周" (ASCII
    punctuation, in stored order) and joined causes with ", " (the review of this stop's change)."""
    from tuihelp import loaded, static_text

    Journal(db, user="Pat PM").add(
        "change",
        {
            "title": "报价调整",
            "owner": "王丹",
            "approved_by": ["王总", "刘经理"],
            "impact": {"cost": "3 人周", "schedule": "+2 周", "scope": "+1 周"},
            "causes": ["expectations", "communication"],
        },
    )
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        shown = static_text(app.screen, "#detail-main")
    assert "王总、刘经理" in shown
    assert "范围：+1 周；进度：+2 周；成本：3 人周" in shown
    assert "expectations（高期望值）、communication（沟通不畅）" in shown


@pilot_test
async def test_the_detail_pane_writes_tags_and_a_changed_field_as_chinese_does(db, make_app, zh):
    """Tags were joined with ", " and an amendment's changed field read "标签: 离线, 上线 -> 新",
    in ASCII punctuation (the review of the 2026-12-04 stops)."""
    from tuihelp import loaded, static_text

    journal = Journal(db, user="Pat PM")
    journal.add("note", {"title": "周会纪要", "tags": ["离线", "上线"]})
    journal.add("note", {"title": "第二条", "tags": ["甲", "乙"]})
    journal.amend(1, {"tags": ["新"]}, "改")
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert "甲、乙" in static_text(app.screen, "#detail-main")  # the newest entry first
        await pilot.press("down")
        await wait_for(pilot, lambda: "周会纪要" in static_text(app.screen, "#detail-main"))
        history = static_text(app.screen, "#detail-history")
    assert "标签：离线、上线 → 新" in history
