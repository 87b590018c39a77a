"""Ask once for the name that signs every entry (`recorded_by`), and the interface language.

The language offered first is the one in use (from `--lang`, the config or the
locale); choosing the other switches this dialog at once, so the user sees what
they chose before saving. Both are saved in the config file (`name`, `language`).
"""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioSet

from pmjournal.core import config, i18n
from pmjournal.core.errors import PmjournalError
from pmjournal.core.i18n import N_, _

from ..key_order import run_focused_binding
from .dialog import FieldDialog
from .editors import FIELD_MOVES, ChoosesAtOnce, FormInput, FormRadioButton, FormRadioSet, caught_up


def texts() -> dict[str, str]:
    """The dialog's words in the language in use: id -> text (redrawn when the language is switched)."""
    return {
        "title": _("Welcome to pmjournal"),
        "intro": _("Your name signs every entry you record (recorded by). It is saved in your config file."),
        "name-label": _("Your name"),
        "language-label": _("Language"),
        "keys": _("enter save · tab language · esc keep the name shown"),
    }


class FirstRunDialog(ChoosesAtOnce, FieldDialog[str]):
    """Saves the name and the language to the config file and dismisses with the name.

    Escape keeps the default rather than leaving the journal unsigned.
    """

    CHOICES = "#language"  # (ChoosesAtOnce)
    # Tab with priority (FIELD_MOVES): "tab ← enter" typed in one burst must choose the
    # language, not submit the name before the focus has moved.
    # Enter with priority too: run as the App reads it, so that the keys typed behind it wait
    # for the form the question opens (PmjournalApp.held_after_question), rather than reach
    # this question as it closes and be lost ("n d", the name, enter, a title, in one burst).
    BINDINGS = [
        Binding("escape", "use_default", N_("Use default")),
        Binding("enter", "submit", N_("Save"), show=False, priority=True),
        ChoosesAtOnce.CHOOSE_BINDING,
        *FIELD_MOVES,
    ]

    def __init__(self, default_name: str):
        super().__init__()
        self.default_name = default_name
        self.lang = self.first_lang = i18n.language()

    def on_mount(self) -> None:
        # Keys typed before this question showed were typed for the form the key that
        # raised it asked for (a burst "n d title tab owner ctrl+s"): kept for that form
        # (typed_ahead, replayed by the app once the question is answered), not typed into
        # the name, where the second tab selected the title and the owner replaced it.
        self.show_error(None)
        self.release(self.query_one(Input), keep=True)

    def compose(self) -> ComposeResult:
        words = texts()
        with Vertical(classes="pm-box pm-small"):
            yield Label(words["title"], classes="pm-title", id="title")
            yield Label(words["intro"], classes="pm-help", id="intro")
            yield Label(words["name-label"], classes="pm-label", id="name-label")
            yield FormInput(self.default_name, placeholder=_("e.g. Pat Lee"), id="f-name")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label(words["language-label"], classes="pm-label", id="language-label")
            with FormRadioSet(id="language", classes="pm-across"):
                for code, name in i18n.LANGUAGES.items():
                    # Each language named in itself: whoever cannot read the one in use finds their own.
                    yield FormRadioButton(name, value=code == self.lang, id=f"lang-{code}")
            yield Label(words["keys"], classes="pm-help", id="keys")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        # A click on a language (the keys' choice was made at once: ChoosesAtOnce).
        event.stop()
        lang = (event.pressed.id or "lang-en").removeprefix("lang-")
        if lang != self.lang:
            self.language_chosen(lang)

    def chosen(self, button_id: str) -> None:
        self.language_chosen(button_id.removeprefix("lang-"))

    def language_chosen(self, lang: str) -> None:
        self.lang = lang
        # Switched now, not only when saved: the user reads the dialog in the language they chose.
        i18n.set_language(self.lang)
        for id_, text in texts().items():
            self.query_one(f"#{id_}", Label).update(text)
        name = self.query_one(Input)
        name.placeholder = _("e.g. Pat Lee")
        self.set_focus(name)  # chosen: back to the name, where enter saves; now, for the next key
        # The screens behind say their words again too (the app's relabel, as its palette's
        # language switch does; a test's bare App has none).
        relabel = getattr(self.app, "relabel", None)
        if relabel is not None:
            relabel()

    def entered(self, field: Input) -> None:
        self.save(field.value)

    async def action_submit(self) -> None:
        if not await caught_up(self):
            return
        focused = self.focused
        if isinstance(focused, Input):
            self.save(focused.value)
            return
        if not await self.choose_now():  # enter on the languages chooses one
            await run_focused_binding(self, "enter")

    def action_use_default(self) -> None:
        self.save(self.query_one(Input).value or self.default_name)

    def save(self, text: str) -> None:
        name = " ".join(text.split())
        if not name:
            self.show_error(_("a name is required"))
            self.query_one(Input).focus()
            return
        try:
            # The language only when the user chose another: saved as it was offered, it pinned
            # the interface to it, and LANG=zh_CN then changed nothing (a helper's trial).
            config.save({"name": name, **({"language": self.lang} if self.lang != self.first_lang else {})})
        except (PmjournalError, OSError) as err:
            self.show_error(_("cannot save the config file: {error}").format(error=getattr(err, "strerror", None) or err))
            return
        i18n.set_language(self.lang)
        cfg = getattr(self.app, "cfg", None)
        if cfg is not None:
            cfg.language = self.lang
        if hasattr(self.app, "held_after_question"):
            self.app.held_after_question = []  # until the form it opens holds them itself
        self.dismiss(name)
