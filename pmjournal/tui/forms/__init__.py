"""Keyboard-driven modal forms: new entry, amend, retract, export, first run, signing key.

Each is a ModalScreen that does its own reading and writing through the app's
JournalSession (tui/session.py; given the trail's Snapshot, it reads that rather
than fold the journal again) and dismisses with the result (or None), so the app
only pushes it and reacts.
"""

from .amend_form import AmendForm
from .entry_form import EntryForm
from .export import ExportDialog
from .first_run import FirstRunDialog
from .kind_picker import KindPicker
from .retract import RetractDialog
from .signing_key import SigningKeyDialog

__all__ = ["KindPicker", "EntryForm", "AmendForm", "RetractDialog", "ExportDialog", "FirstRunDialog", "SigningKeyDialog"]
