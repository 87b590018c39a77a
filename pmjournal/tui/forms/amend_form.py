"""Amend an entry: the same form, filled from its folded view, plus a required reason.

Saving records an amendment carrying only the fields the user changed; the
entry itself is never edited in place.
"""

from textual.app import ComposeResult
from textual.widgets import Input, Label

from pmjournal.core.errors import ValidationError
from pmjournal.core.fold import ref_of
from pmjournal.core.i18n import _, pgettext
from pmjournal.core.model import Field

from .base import FormScreen
from .editors import FormInput
from .fields import OneInputRow
from .labels import field_label, kind_name
from .values import core_value, link_rels, raw_from_view, resolve_links, split_refs


class ReasonRow(OneInputRow):
    """Why the entry is being amended: stored with the amendment, required."""

    def __init__(self):
        super().__init__(Field("reason", "line", "Reason"), "")

    def compose(self) -> ComposeResult:
        # Its own word, not the field table's "Reason": an incident's Causes may be called the same in Chinese.
        yield Label(pgettext("amend", "Reason") + " *", classes="pm-label")
        yield FormInput(placeholder=_("why this changes (required)"), compact=True, id="f-reason")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(None)


class AmendForm(FormScreen):
    """Dismisses with the amendment record, or None if cancelled."""

    def __init__(self, session, entry_id: str, *, snapshot=None, clock=None):
        view = session.entry(entry_id, snapshot)
        super().__init__(session, view["kind"], snapshot=snapshot, clock=clock, exclude_id=view["id"])
        self.view = view

    def heading(self) -> str:
        return _("Amend {ref} ({kind}): {title}").format(
            ref=ref_of(self.view), kind=kind_name(self.kind), title=self.view.get("title", "")
        )

    def initial_raw(self, field: Field):
        return raw_from_view(field, self.view, self.session.views(self.snapshot))

    def help_text(self) -> str:
        return _("change fields, give a reason (shift+tab from the title), ctrl+s · esc cancel")

    def compose_top(self) -> ComposeResult:
        # Above the fields, so the required reason is never scrolled out of sight.
        yield ReasonRow()
        # What the amendment will record, as it is typed: the title opens selected (a new
        # title typed at once replaces it), so a reason typed first would have replaced the
        # title unseen but for this line.
        yield Label(self._changing_text(set()), markup=False, classes="pm-help", id="changing")

    def _changing_text(self, names: set[str]) -> str:
        shown = [field_label(f) for f in self.fields if f.name in names]
        if not shown:
            return _("Changing: nothing yet")
        # TRANSLATORS: {fields} the labels of the fields changed, joined with the list separator.
        return _("Changing: {fields}").format(fields=pgettext("list separator", ", ").join(shown))

    def _show_changing(self) -> None:
        if not self._initial_raws:
            return  # still opening
        names = self.changed() - {"reason"}
        self.query_one("#changing", Label).update(self._changing_text(names))

    def on_input_changed(self, _event) -> None:
        self._show_changing()

    def on_text_area_changed(self, _event) -> None:
        self._show_changing()

    def on_selection_list_selected_changed(self, _event) -> None:
        self._show_changing()

    def on_select_changed(self, _event) -> None:
        self._show_changing()

    def discard_question(self) -> str:
        return _("Drop your changes to {ref}? Nothing has been saved.").format(ref=ref_of(self.view))

    def changes(self) -> tuple[dict, dict | None]:
        """(changed fields -> new values, links to add); only what the user touched."""
        raws = self.raws()
        changes = {}
        links = None
        for field in self.fields:
            name = field.name
            if raws[name] == self._initial_raws[name]:
                continue
            if field.type == "links":
                links = self._link_change(raws[name], self._initial_raws[name], changes)
                continue
            changes[name] = core_value(field, raws[name], self.clock_for(field))
        return changes, links

    def _link_change(self, raw: tuple, initial: tuple, changes: dict) -> dict | None:
        new = resolve_links(self.session, self.kind, raw)
        old = resolve_links(self.session, self.kind, initial)
        rels = link_rels(self.kind)
        removed = any(set(old[rel]) - set(new[rel]) for rel in rels)
        if removed:
            # Dropping a link means the whole list changes; ids were checked above.
            kept = [link for link in self.view.get("links") or () if link["rel"] not in rels]
            changes["links"] = kept + [{"rel": rel, "to": to} for rel in rels for to in new[rel]]
            return None
        # Only additions: let the core check them (e.g. only a decision may supersede).
        added = {}
        for rel, text in zip(rels, raw, strict=True):
            refs = [ref for ref, to in zip(split_refs(text), new[rel], strict=True) if to not in old[rel]]
            if refs:
                added[rel] = refs
        return added or None

    def submit(self):
        reason = self.query_one(ReasonRow).raw
        changes, links = self.changes()
        if not changes and not links:
            raise ValidationError(_("nothing changed: edit a field, or press escape to leave"), field=None)
        if not reason.strip():
            raise ValidationError(_("a reason is required: say why this entry changes"), field="reason")
        return lambda: self.session.amend(self.view["id"], changes, reason, links=links)
