"""pmjournal: a product manager's record of who decided what.

For scripts (docs/scripting.md):

    import pmjournal
    from tinydb import Query

    db = pmjournal.open_db()            # the journal the CLI uses, as a tinydb.TinyDB
    db.search(Query().owner == "Dana Whitfield")

Importing this module stays cheap (the CLI imports it first): the journal
code is imported when `open_db` is called.
"""

__version__ = "0.1.0"


def open_db(path=None, user=None, lock_timeout=5.0):
    """A `tinydb.TinyDB` on the journal at `path` (default: `--db`'s default, `$PMJOURNAL_DB`,
    then the platform's data folder).

    Its one table, `entries` (the default table), holds the stored records as
    documents, doc_id == #seq. `insert`/`insert_multiple` are validated and
    stamped as `pmjournal add` does (as `user`, default: the config's `name`,
    else the login name) and appended to the chain; `update`, `remove`,
    `truncate`, `upsert` and dropping tables are refused (append-only).
    `db.views(cond)` gives the folded views (amendments applied).
    """
    from .core.store import open_db as _open_db

    return _open_db(path, user=user, lock_timeout=lock_timeout)


__all__ = ["__version__", "open_db"]
