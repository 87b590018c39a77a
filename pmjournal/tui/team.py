"""A team journal's sync state as the trail's title shows it ("synced 3 min ago · 2 to push").

Read from team.json (core/team/layout.py) in the session's worker, with the
snapshot it belongs to; only the age is worked out again as time passes. A
single-user journal has no TeamStatus and its title says nothing of any of this.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from ..core.i18n import _
from ..core.team.layout import Team
from ..core.team.witness import changed_here


@dataclass(frozen=True)
class TeamStatus:
    handle: str
    remote: str
    synced_at: float | None  # seconds since the epoch, None if never synced
    pushed_seq: int  # the last own #seq the remote holds
    refused: tuple[str, ...] = ()  # colleagues whose history was rewritten: nothing of theirs is taken
    changed_here: tuple[str, ...] = ()  # colleagues whose copy here departs from what was taken (witness.py)

    @classmethod
    def read(cls, team: Team) -> "TeamStatus | None":
        """The status of `team`, or None for a journal that has not joined one."""
        if not team.joined:
            return None
        state = team.state()
        pushed = state.get("pushed_seq")
        refused = state.get("refused")
        return cls(
            handle=str(state.get("handle") or ""),
            remote=str(state.get("remote") or ""),
            synced_at=_seconds(state.get("synced_at")),
            pushed_seq=pushed if pushed.__class__ is int else 0,
            refused=tuple(sorted(refused)) if isinstance(refused, dict) else (),
            changed_here=changed_here(team),
        )

    def describe(self, last_seq: int | None, now: float | None = None) -> str:
        """`synced 3 min ago as dana · 2 to push`; `last_seq`: this author's last #seq (None: not known yet)."""
        synced = synced_words(self.synced_at, now)
        parts = [_("{synced} as {handle}").format(synced=synced, handle=self.handle) if self.handle else synced]
        if last_seq is not None:
            waiting = last_seq - self.pushed_seq
            parts.append(_("{n} to push").format(n=waiting) if waiting > 0 else _("nothing to push"))
        if self.refused:
            parts.append(_("refused: {handles}").format(handles=", ".join(self.refused)))
        if self.changed_here:
            parts.append(_("CHANGED HERE: {handles}").format(handles=", ".join(self.changed_here)))
        return " · ".join(parts)

    def notices(self) -> tuple[str, ...]:
        """What the app says once as it reads: a colleague's copy changed on this machine."""
        return tuple(
            _(
                "The copy of {handle}'s chain here was changed on this machine: what it shows of {handle}'s is not what {handle} recorded. Run `pmjournal verify` to see where; `pmjournal sync` puts back what was taken"
            ).format(handle=handle)
            for handle in self.changed_here
        )


def _seconds(stamp) -> float | None:
    """`2026-12-02T01:30:00Z` (what sync writes) as seconds since the epoch; None if absent or unreadable."""
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def synced_words(synced_at: float | None, now: float | None = None) -> str:
    """How long ago, to the minute at best: the title is redrawn every 30 s. A stamp in
    the future (the clock was set back since) reads as just now."""
    if synced_at is None:
        return _("never synced")
    ago = (time.time() if now is None else now) - synced_at
    if ago < 60:
        return _("synced just now")
    if ago < 3600:
        return _("synced {n} min ago").format(n=int(ago // 60))
    if ago < 48 * 3600:
        return _("synced {n} h ago").format(n=int(ago // 3600))
    return _("synced {n} d ago").format(n=int(ago // 86400))
