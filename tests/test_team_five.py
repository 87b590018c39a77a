"""Five people keep one trail: random work, random syncs, some offline, concurrent amendments.

After a final sync round every journal holds the same entries with the same folded
views (compared as JSON) and verifies; then a rewrite one of them force-pushes is
refused, and named, by the other four.
"""

import json
import random
import shutil

import pytest
from teamhelp import REWRITES, cli, force_push_chain, team_of

from pmjournal.core.errors import ValidationError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

NAMES = ("Dana Whitfield", "Bob Li", "Carol Wu", "Zhang Wei 张伟", "Erin Park")
PEOPLE = ["Marcus", "Priya", "VP Eng", "Acme Corp", "李娜"]


def comparable(journal) -> str:
    """The folded views as JSON, without what only says whose machine it is (a
    colleague's `ref` is `dana#3` elsewhere and `#3` on Dana's own)."""
    out = {}
    for entry_id, view in journal.views.items():
        clean = {k: v for k, v in view.items() if k not in ("author", "ref") and not k.startswith("_")}
        clean["history"] = [{k: v for k, v in e.items() if k != "ref"} for e in view["history"]]
        out[entry_id] = clean
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def act(rng: random.Random, member) -> None:
    journal = member.journal()
    views = [v for v in journal.views.values()]
    roll = rng.random()
    if roll < 0.5 or not views:
        kind = rng.choice(["decision", "change", "risk", "note", "incident"])
        values = {"title": f"{member.handle} {kind} {rng.randrange(10**6)}", "owner": rng.choice(PEOPLE)}
        links = None
        if kind == "incident" and views:
            target = rng.choice(views)
            links = {"caused_by": [target.get("ref") or f"#{target['seq']}"]}
        journal.add(kind, values, links)
    elif roll < 0.85:
        target = rng.choice(views)
        try:
            journal.amend(target["id"], {"owner": rng.choice(PEOPLE)}, f"{member.handle} corrects")
        except ValidationError:
            pass  # retracted, or already that owner
    else:
        target = rng.choice(views)
        try:
            journal.retract(target["id"], f"{member.handle} withdraws")
        except ValidationError:
            pass


def test_five_authors_converge_and_witness_each_other(tmp_path):
    rng = random.Random(2026)
    members = team_of(tmp_path, *NAMES)
    offline = {m.handle: 0 for m in members}
    for step in range(120):
        member = rng.choice(members)
        act(rng, member)
        if rng.random() < 0.05:
            offline[member.handle] = rng.randint(5, 25)  # on a plane for a while
        if offline[member.handle] > 0:
            offline[member.handle] -= 1
        elif rng.random() < 0.35:
            member.sync()
        if step == 60:
            # Two people amend the same entry at the same moment, neither having seen the other's.
            for m in members[:2]:
                m.sync()
            members[0].sync()
            live = [v for v in members[0].journal().views.values() if not v["retracted"]]
            shared = sorted(live, key=lambda v: v["id"])[0]
            for m in members[:2]:
                m.journal().amend(shared["id"], {"title": f"retitled by {m.handle}"}, "same moment")
    for _ in range(2):
        for member in members:
            assert member.sync().refused == {}
    states = [comparable(m.journal()) for m in members]
    assert all(state == states[0] for state in states[1:])
    views = json.loads(states[0])
    assert len(views) > 40
    assert sum(1 for v in views.values() if any(e.get("concurrent") for e in v["history"])) >= 1
    for member in members:
        proc = cli(member, "verify")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count(": ok:") == 5

    # One of them rewrites an old record of their own and force-pushes it.
    forger, witnesses = members[2], [m for m in members if m is not members[2]]
    lines = forger.path.read_bytes().rstrip(b"\n").split(b"\n")
    force_push_chain(forger, REWRITES["edit"](lines))
    for witness in witnesses:
        refusal = witness.sync().refused.get(forger.handle, "")
        assert f"{forger.handle}#2 differs" in refusal
        assert comparable(witness.journal()) == states[0]
        assert cli(witness, "verify").returncode == 1
