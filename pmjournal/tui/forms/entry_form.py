"""The form for a new entry of one kind."""

from pmjournal.core.model import Field

from .base import FormScreen
from .source import Source
from .values import core_value, empty_raw, link_rels, resolve_links, split_refs

DEFAULT_WHEN = "now"


class EntryForm(FormScreen):
    """Dismisses with the saved record, or None if cancelled.

    `when` is the text the date field starts with and `clock` what "now"
    means to it; tests pass both so what the form shows is fixed. `views`,
    `people` and `lock` are the app's (see source.py); all optional.
    """

    def __init__(self, journal, kind: str, *, when: str = DEFAULT_WHEN, clock=None, views=None, people=None, lock=None):
        super().__init__(Source(journal, views, people, lock), kind, clock=clock)
        self.when = when

    def heading(self) -> str:
        return f"New {self.kind}"

    def initial_raw(self, field: Field):
        if field.name == "occurred_at":
            return self.when
        return empty_raw(field, self.kind)

    def submit(self):
        raws = self.raws()
        values = {f.name: core_value(f, raws[f.name], self.clock) for f in self.fields if f.type != "links"}
        links_raw = raws.get("links", ())
        links = {}
        if "links" in raws:
            resolve_links(self.source, self.kind, links_raw)
            links = {rel: split_refs(text) for rel, text in zip(link_rels(self.kind), links_raw, strict=True)}
        with self.source.guard():
            self.journal.prepare(self.kind, values, links)  # field errors now, beside the fields

        def write() -> dict:
            with self.source.guard():
                return self.journal.add(self.kind, values, links)

        return write
