"""The form for a new entry of one kind."""

from pmjournal.core.errors import ValidationError
from pmjournal.core.i18n import _, pgettext
from pmjournal.core.model import Field, missing

from .base import FormScreen
from .labels import kind_name
from .values import core_value, empty_raw, link_rels, resolve_links, split_refs


def default_when() -> str:
    """What the date field starts with: "now" in the interface's language, as the user would type it
    (core/dates.py reads both "now" and "现在")."""
    # TRANSLATORS: typed into the When field for the user, so it must be a word the date parser reads (core/dates.py).
    return pgettext("date as typed", "now")


class EntryForm(FormScreen):
    """Dismisses with the saved record, or None if cancelled.

    `when` is the text the date field starts with and `clock` what "now"
    means to it; tests pass both so what the form shows is fixed. `snapshot`
    is the one the trail screen holds (optional: see base.py).
    """

    def __init__(self, session, kind: str, *, snapshot=None, when: str | None = None, clock=None):
        super().__init__(session, kind, snapshot=snapshot, clock=clock)
        self.when = default_when() if when is None else when

    def heading(self) -> str:
        return _("New {kind}").format(kind=kind_name(self.kind))

    def initial_raw(self, field: Field):
        if field.name == "occurred_at":
            return self.when
        return empty_raw(field, self.kind)

    def submit(self):
        raws = self.raws()
        # Every required field left empty is said at once, beside each (it was the title's, then
        # on the next ctrl+s the owner's), with any other error found first.
        gaps = missing(self.kind, {name: raw for name, raw in raws.items() if isinstance(raw, str) and raw.strip()})
        try:
            write = self._submit(raws)
        except ValidationError as err:
            said = {err.field, *(other.field for other in err.others)}
            err.others = [*err.others, *(gap for gap in gaps if gap.field not in said)]
            raise
        if gaps:
            gaps[0].others = gaps[1:]
            raise gaps[0]
        return write

    def _submit(self, raws):
        # Every field's own error at once, beside each: a bad tag, then on the next ctrl+s a bad
        # date, one round each, read as the form finding fault piece by piece (a helper's trial).
        values, refused = {}, []
        for f in self.fields:
            if f.type == "links":
                continue
            try:
                values[f.name] = core_value(f, raws[f.name], self.clock_for(f))
            except ValidationError as err:
                refused.append(err)
        if refused:
            try:  # the other fields' own errors too (a tag, a name), found by the model's checks
                self.session.prepare(self.kind, values, {})
            except ValidationError as err:
                said = {e.field for e in refused}
                refused += [e for e in (err, *err.others) if e.field not in said]
            refused[0].others = refused[1:]
            raise refused[0]
        links_raw = raws.get("links", ())
        links = {}
        if "links" in raws:
            resolve_links(self.session, self.kind, links_raw)
            links = {rel: split_refs(text) for rel, text in zip(link_rels(self.kind), links_raw, strict=True)}
        self.session.prepare(self.kind, values, links)  # field errors now, beside the fields
        return lambda: self.session.add(self.kind, values, links)
