"""What the forms call the model's names, in the interface's language.

The stored names stay English data (kinds, field names, enum values, cause keys);
only what a form shows is translated, at the moment it is shown, so a form opened
after the language changes speaks the new one. The tables are functions rather
than module constants because a constant would be translated once, at import.

Kinds, enum values and field labels come from core/labels.py, shared with the CLI,
the export and the rest of the TUI. Each word
carries a context (pgettext): the catalogs of every area are chained, and a bare
"When" or "Body" may mean something else in another area's catalog.
"""

from pmjournal.core.causes import Cause
from pmjournal.core.display import link_words
from pmjournal.core.i18n import _, language
from pmjournal.core.labels import field_labels, kind_label, value_label
from pmjournal.core.model import Field


def field_label(field: Field) -> str:
    """A field's label; a field the model adds later shows its English label until it is in the table."""
    return field_labels().get(field.name) or _(field.label)


def kind_name(kind: str) -> str:
    """An entry kind as a person reads it (core/labels.py; the stored kind stays English)."""
    return kind_label(kind)


def value_name(value: str) -> str:
    """A choice of an enum field (status, source, channel, levels), shown; the value saved stays English."""
    return value_label(value)


def impact_part(part: str) -> str:
    """scope, schedule, cost: the parts of a change's impact, as a sub-label (capitalised in English)."""
    return value_label(part).capitalize()


def link_label(rel: str) -> str:
    """A link's relation, read from the entry being written (core/display.link_words)."""
    return link_words(rel, capital=True)


def cause_prompt(cause: Cause) -> str:
    """A cause in the causes picker: the taxonomy's own Chinese label in Chinese,
    both names in English (the taxonomy is bilingual: its Chinese names are known to English users too)."""
    if language().startswith("zh"):
        return cause.zh
    return f"{cause.label} · {cause.zh}"
