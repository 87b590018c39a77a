"""Set or clear `signing_key` in config.toml: the SSH private key exports are signed with.

The path is checked before it is saved (its public half must read as an SSH key,
evidence/signing.py), so a typo is named beside the field rather than found at
the next export. An empty field clears the key: exports are then unsigned.
"""

import asyncio
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from pmjournal.core import config
from pmjournal.core.display import visible
from pmjournal.core.errors import PmjournalError
from pmjournal.core.i18n import N_, _

from ..signers import key_words
from .dialog import FieldDialog, one_line
from .editors import FormInput, caught_up


def key_described(kind: str, fingerprint: str) -> str:
    """'ed25519 key SHA256:…': a key as the dialogs name it."""
    # TRANSLATORS: {kind} is the key's type (ed25519, rsa), {fingerprint} its SHA256:… fingerprint.
    return _("{kind} key {fingerprint}").format(kind=kind, fingerprint=fingerprint)


def stored_path(text: str, directory: Path | None = None) -> str:
    """What config.toml keeps: `~/…` as typed (it follows the user's home), anything else
    relative made absolute (the app may be started from another folder next time)."""
    if text.startswith("~"):
        return text
    path = Path(text)
    return str(path if path.is_absolute() else (directory or Path.cwd()) / path)


class SigningKeyDialog(FieldDialog[str | None]):
    """Set or clear config signing_key (command palette: Signing key…). Dismisses with the path saved ("" when cleared), or None if cancelled."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True), Binding("escape", "escape", N_("Cancel"), priority=True)]

    def __init__(self, session, *, directory: Path | None = None):
        super().__init__()
        self.session = session
        self.directory = directory
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="pm-box pm-small"):
            yield Label(_("Signing key"), classes="pm-title")
            yield Label(
                _(
                    "Markdown and JSON exports are signed with this SSH private key (ed25519 or RSA), through "
                    "ssh-agent if it has a passphrase. Empty: exports are not signed. Saved in your config file."
                ),
                classes="pm-help",
            )
            yield Label(_("Private key"), classes="pm-label")
            yield FormInput(self.session.signing_key, placeholder=_("e.g. ~/.ssh/id_ed25519"), id="f-signing-key")
            yield Label("", markup=False, classes="pm-error", id="error")
            yield Label(_("enter save · esc cancel"), classes="pm-help")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)

    def entered(self, field: Input) -> None:
        self.save()

    async def action_save(self) -> None:
        # ctrl+s is a priority binding: read the field only once it holds every key typed before it.
        if await caught_up(self):
            self.save()

    def action_cancel(self) -> None:
        self.cancel_keeping_text()  # a path typed by hand is asked about before it is dropped

    def save(self) -> None:
        if self.saving:
            return
        self.saving = True
        text = self.query_one(Input).value.strip()
        self.show_error(_("checking…") if text else _("saving…"))
        self.run_worker(self._save(stored_path(text, self.directory) if text else ""), group="signing", exit_on_error=False)

    async def _save(self, path: str) -> None:
        try:
            try:
                described, problem = await asyncio.to_thread(self._describe, path) if path else ("", "")
            except (PmjournalError, OSError) as err:
                self.show_error(one_line(err))
                return
            try:
                await asyncio.to_thread(config.save, {"signing_key": path})
            except (PmjournalError, OSError) as err:
                self.show_error(_("cannot save the config file: {error}").format(error=one_line(err)))
                return
        finally:
            self.saving = False
        self.session.signing_key = path
        cfg = getattr(self.app, "cfg", None)
        if cfg is not None:
            cfg.signing_key = path
        if problem:
            # Saved all the same: the user may add it to ssh-agent before the next export (which would say so).
            self.notify(
                _("Signing key set: {key}, but {problem}").format(key=described, problem=problem),
                title=_("Signing key"),
                severity="warning",
                markup=False,
            )
        elif described:
            self.notify(_("Exports are now signed with {key}").format(key=described), title=_("Signing key"), markup=False)
        else:
            self.notify(_("Exports are no longer signed."), title=_("Signing key"), markup=False)
        self.dismiss(path)

    @staticmethod
    def _describe(path: str) -> tuple[str, str]:
        """The key in words, and why it cannot sign yet ("" if it can); raises SigningError if
        `path` is not a key (ssh-keygen: in a worker)."""
        from pmjournal.core.evidence.signing import SigningError, SigningKey

        key = SigningKey(path)
        public = key.public()
        described = key_described(key_words(public.line), public.fingerprint())
        try:
            key.check()
        except SigningError:
            return described, _(
                "it has a passphrase and ssh-agent does not hold it: run `ssh-add {path}` before exporting"
            ).format(path=visible(str(key.path)))
        return described, ""
