"""A link reads the same wherever it is shown: `pmjournal show`, the detail pane, the form's
Links rows and the Markdown export, in English and in Chinese (issue 12: link wording defined
once; the detail pane and the forms had their own, shorter Chinese: 起因 where the rest said 起因于)."""

import pytest
from clihelp import run_cli
from textual.widgets import Label, OptionList
from tuihelp import loaded, pilot_test, wait_for

from pmjournal.core import i18n
from pmjournal.core.markdown import export_markdown
from pmjournal.core.query import Filter
from pmjournal.core.store import Journal
from pmjournal.tui.forms import EntryForm
from pmjournal.tui.session import JournalSession

# rel -> how it reads from the entry that made the link, and from the entry it points to.
WORDS = {
    "en": {"caused_by": ("caused by", "led to"), "relates": ("relates to", "related from")},
    "zh_CN": {"caused_by": ("起因于", "导致了"), "relates": ("关联到", "被关联自")},
}


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@pytest.fixture(params=["en", "zh_CN"])
def lang(request):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


@pytest.fixture
def linked(db):
    """#1 a risk, #2 an incident caused by it, #3 a note related to #2."""
    journal = Journal(db, user="Pat PM")
    journal.add("risk", {"title": "Vendor API unstable", "owner": "Ann"})
    journal.add("incident", {"title": "Checkout down"}, links={"caused_by": ["#1"]})
    journal.add("note", {"title": "Post-mortem notes"}, links={"relates": ["#2"]})
    return db


def test_the_cli_and_the_export_say_the_same_words(linked, lang):
    words = WORDS[lang]
    shown = run_cli("--db", str(linked), "--lang", lang, "show", "#2", check=True).stdout
    assert f"{words['caused_by'][0]} #1" in shown
    assert f"{words['relates'][1]} #3" in shown
    document = export_markdown(Journal(linked, user="Pat PM"), Filter())
    for forward, backward in words.values():
        assert capital(forward) in document and capital(backward) in document


@pilot_test
async def test_the_detail_pane_and_the_form_say_the_same_words(linked, lang, make_app):
    words = WORDS[lang]
    app = make_app(linked)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.table.current is not None)
        while screen.table.current["seq"] != 2:
            await pilot.press("j")
        links = screen.query_one("#detail-links", OptionList)
        await wait_for(pilot, lambda: links.option_count == 2)
        prompts = [str(links.get_option_at_index(i).prompt) for i in range(links.option_count)]
        assert any(p.startswith(words["caused_by"][0]) and "#1" in p for p in prompts), prompts
        assert any(p.startswith(words["relates"][1]) and "#3" in p for p in prompts), prompts

    journal = Journal(linked, user="Pat PM")
    form = EntryForm(JournalSession(journal), "incident")
    from test_forms import FormsApp

    app = FormsApp(lambda: form)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        labels = [str(label.content) for label in form.query("#row-links .pm-sublabel").results(Label)]
        assert capital(words["caused_by"][0]) in labels and capital(words["relates"][0]) in labels, labels
