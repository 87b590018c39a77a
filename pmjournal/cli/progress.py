"""A progress bar on standard error for a long command (`import`).

Shown only when standard error is a terminal, and only once the command has run
for a second: a quick import, or one whose output goes to a pipe or a file,
prints nothing extra. The bar is transient: it is gone when the command ends,
leaving its usual one-line result (or its one-line error).
"""

import os
import sys
import time

from ..core.i18n import N_, _

AFTER = 1.0  # seconds before a bar appears

_LABELS = {"reading": N_("reading the journal"), "importing": N_("importing")}


class Progress:
    """A callable progress(phase, done, total) for core functions, drawn with rich."""

    def __init__(self, what: str, stream=None, after: float | None = None):
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.after = AFTER if after is None else after
        self.started = time.monotonic()
        self.enabled = _is_terminal(self.stream)
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self.started < self.after:
                return
            self._start()
        task = self._tasks.get(phase)
        if task is None:
            for other in self._tasks.values():  # the phase before is over
                self._bar.update(other, completed=self._bar.tasks[other].total)
            label = _("checking {what}").format(what=self.what) if phase == "checking" else _(_LABELS.get(phase, phase))
            task = self._tasks[phase] = self._bar.add_task(label, total=total, count="")
        if phase in ("reading", "checking"):
            count = f"{done / 1e6:,.0f}/{total / 1e6:,.0f} MB"
        else:
            count = _("{done:,}/{total:,} records").format(done=done, total=total)
        self._bar.update(task, completed=done, total=total, count=count)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        console = Console(file=self.stream, highlight=False)
        self._bar = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[count]}", markup=False),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
