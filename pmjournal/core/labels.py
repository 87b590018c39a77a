"""The words a front end shows for stored English values: kinds, roles, statuses
and the other choices, loop types and states.

Stored values stay English (they are data, and JSON and CSV keep them); only what
is shown is translated, with _() at the moment it is shown (core/i18n.py), so an
export in another language (i18n.using) and a TUI that switches language both get
their own words. An unknown value is shown as it is.
"""

from .i18n import N_, _, language, pgettext

KINDS = {
    "decision": N_("decision"),
    "change": N_("change"),
    "communication": N_("communication"),
    "risk": N_("risk"),
    "incident": N_("incident"),
    "note": N_("note"),
    # records that are not entries, as an entry's history names them
    "amendment": N_("amendment"),
    "retraction": N_("retraction"),
    "loop": N_("loop"),
    "key": N_("signing key"),
}


# RACI roles as `who` and --role name them (model.ROLES), and the `who` table's "other".
def _roles() -> dict[str, str]:
    """Translated now: a dict built at each call, so the language in use decides."""
    return {
        "owner": pgettext("role", "owner"),
        "requested": pgettext("role", "requested"),
        "approved": pgettext("role", "approved"),
        "consulted": pgettext("role", "consulted"),
        "informed": pgettext("role", "informed"),
        "other": pgettext("role", "other"),
    }


# The choices of enum fields (model.KIND_FIELDS), and the parts of a change's impact.
def _values() -> dict[str, str]:
    """Translated now, as _roles()."""
    return {
        "proposed": pgettext("value", "proposed"),
        "accepted": pgettext("value", "accepted"),
        "rejected": pgettext("value", "rejected"),
        "superseded": pgettext("value", "superseded"),
        "requested": pgettext("value", "requested"),
        "approved": pgettext("value", "approved"),
        "done": pgettext("value", "done"),
        "customer": pgettext("value", "customer"),
        "internal": pgettext("value", "internal"),
        "regulatory": pgettext("value", "regulatory"),
        "market": pgettext("value", "market"),
        "meeting": pgettext("value", "meeting"),
        "email": pgettext("value", "email"),
        "chat": pgettext("value", "chat"),
        "call": pgettext("value", "call"),
        "doc": pgettext("value", "doc"),
        "open": pgettext("value", "open"),
        "mitigating": pgettext("value", "mitigating"),
        "closed": pgettext("value", "closed"),
        "occurred": pgettext("value", "occurred"),
        "resolved": pgettext("value", "resolved"),
        "low": pgettext("value", "low"),
        "medium": pgettext("value", "medium"),
        "high": pgettext("value", "high"),
        "critical": pgettext("value", "critical"),
        "scope": pgettext("value", "scope"),
        "schedule": pgettext("value", "schedule"),
        "cost": pgettext("value", "cost"),
        "retracted": pgettext("value", "retracted"),
    }


# The types of open loop (loops.TYPES).
LOOP_TYPES = {
    "follow-up": N_("follow-up"),
    "review": N_("review"),
    "commitment": N_("commitment"),
    "answer": N_("answer"),
}


_made: dict[tuple[str, str], dict[str, str]] = {}


def _table(name: str) -> dict[str, str]:
    """One of the tables in the language in use, made once per language: `list`
    shows a status per row, and 100,000 rows must not cost 100,000 look-ups."""
    lang = language()
    table = _made.get((name, lang))
    if table is None:
        if name == "kinds":
            table = {k: _(v) for k, v in KINDS.items()}
        elif name == "loop_types":
            table = {k: _(v) for k, v in LOOP_TYPES.items()}
        elif name == "fields":
            table = _fields()
        else:
            table = _roles() if name == "roles" else _values()
        table = _made[(name, lang)] = table
    return table


def kind_label(kind: str) -> str:
    """'decision' -> 决策 under zh_CN; an unknown kind as it is."""
    return _table("kinds").get(kind, kind)


def role_label(role: str) -> str:
    """'approved' (a role, as `who` and --role name it) -> 批准 under zh_CN."""
    return _table("roles").get(role, role)


def value_label(value):
    """A stored choice (a status, a source, a level, an impact part) as shown; anything else unchanged."""
    if value.__class__ is not str:
        return value
    return _table("values").get(value, value)


def value_labels() -> dict[str, str]:
    """Every stored choice -> how it is shown (the table value_label reads; not to be changed)."""
    return _table("values")


def loop_type_label(type_: str) -> str:
    """'follow-up' -> 跟进 under zh_CN."""
    return _table("loop_types").get(type_, type_)


def field_labels() -> dict[str, str]:
    """Every field's name as a row, a form or a paragraph labels it, in the language in use
    (the English is model.py's labels; the detail pane's extra rows too): made once per
    language, as the other tables (the detail pane asks for a label per row it draws)."""
    return _table("fields")


def _fields() -> dict[str, str]:
    return {
        "title": pgettext("field", "Title"),
        "occurred_at": pgettext("field", "When"),
        "owner": pgettext("field", "Owner"),
        "requested_by": pgettext("field", "Requested by"),
        "approved_by": pgettext("field", "Approved by"),
        "consulted": pgettext("field", "Consulted"),
        "informed": pgettext("field", "Informed"),
        "project": pgettext("field", "Project"),
        "tags": pgettext("field", "Tags"),
        "causes": pgettext("field", "Causes"),
        "links": pgettext("field", "Links"),
        "evidence": pgettext("field", "Evidence"),
        "body": pgettext("field", "Body"),
        "status": pgettext("field", "Status"),
        "options": pgettext("field", "Options considered"),
        "rationale": pgettext("field", "Rationale"),
        "review_by": pgettext("field", "Review by"),
        "source": pgettext("field", "Source"),
        "previous": pgettext("field", "Previously"),
        "impact": pgettext("field", "Impact"),
        "channel": pgettext("field", "Channel"),
        "participants": pgettext("field", "Participants"),
        "commitments": pgettext("field", "Commitments"),
        "acknowledged_by": pgettext("field", "Acknowledged by"),
        "follow_up_by": pgettext("field", "Follow up by"),
        "raised_to": pgettext("field", "Raised to"),
        "raised_by": pgettext("field", "Raised by"),
        "likelihood": pgettext("field", "Likelihood"),
        "mitigation": pgettext("field", "Mitigation"),
        "severity": pgettext("field", "Severity"),
        "kind": pgettext("field", "Kind"),
        "recorded_at": pgettext("field", "Recorded"),
        "recorded_by": pgettext("field", "Recorded by"),
        "reason": pgettext("field", "Reason"),
        "imported": pgettext("field", "Imported"),
        "signer": pgettext("field", "Signer"),
    }
