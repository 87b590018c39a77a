"""pmjournal: a product manager's record of who decided what.

For scripts (docs/scripting.md):

    import pmjournal
    from tinydb import Query

    db = pmjournal.open_db()            # the journal the CLI uses, as a tinydb.TinyDB
    db.search(Query().owner == "Dana Whitfield")

Importing this module stays cheap (the CLI imports it first): the journal
code (TinyDB, the store) is imported when `open_db` is first called.
"""

from .core.errors import NotFound, PmjournalError, StoreError, ValidationError

__version__ = "0.1.0"


def open_db(path=None, user=None, lock_timeout=5.0):
    """A `tinydb.TinyDB` on the journal at `path` (default: `$PMJOURNAL_DB`, else the
    platform's data folder, as the CLI finds it).

    Its one table, `entries` (the default table), holds the stored records as
    documents, doc_id == #seq. `insert`/`insert_multiple` are validated and
    stamped as `pmjournal add` does (as `user`, default: the config's `name`,
    else the login name) and appended to the chain; `update`, `remove`,
    `truncate`, `upsert` and dropping tables raise StoreError (append-only).
    `db.views(cond)` gives the folded views (amendments applied).
    """
    from .core.store import open_db as _open_db

    return _open_db(path, user=user, lock_timeout=lock_timeout)


def __getattr__(name):
    if name == "UnverifiedJournal":  # the warning a script gets from a journal that fails verification
        from .core.store import UnverifiedJournal

        return UnverifiedJournal
    raise AttributeError(f"module 'pmjournal' has no attribute {name!r}")


__all__ = ["NotFound", "PmjournalError", "StoreError", "UnverifiedJournal", "ValidationError", "__version__", "open_db"]
