"""A cache that starts over when it is full: what a pass over a whole journal (an export of
every entry) looks up again, kept from growing with the journal."""


class Bounded(dict):
    """A dict that empties itself when it holds `bound` keys and one more is set (0: no bound).
    Starting over costs a few look-ups again; an LRU's bookkeeping would cost every one."""

    def __init__(self, bound: int = 0):
        super().__init__()
        self.bound = bound

    def __setitem__(self, key, value) -> None:
        if self.bound and len(self) >= self.bound:
            self.clear()
        super().__setitem__(key, value)
