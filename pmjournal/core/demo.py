"""A realistic sample journal: the Checkout v2 launch of a fictional shop app.

It shows every kind of entry, several people (some named in Chinese), an owner
corrected after the fact, a retraction, a superseded decision and two
incidents traced back to the calls behind them, and open loops of every type
(follow-ups, decision and risk reviews, commitments, escalations answered and
not) in every state: done, open, due soon, overdue, and one done then
re-opened. Dates, due dates included, are relative to `ref` (default: now) so
the demo always looks recent and the loops' states hold whatever day it is;
pass a fixed `ref` for reproducible output (docs/example-evidence.md uses that).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import dates, model
from .errors import PmjournalError
from .i18n import _
from .ids import derived_id

DANA, MARCUS, PRIYA, TOM, ACME = "Dana Whitfield", "Marcus Chen", "Priya Raman", "Tom Becker", "Acme Retail"
LENA, WEI, LINA, SAM, RACHEL = "Lena Ortiz", "张伟", "李娜", "Sam Okafor", "Rachel Green"
P = "checkout-v2"


@dataclass(frozen=True)
class Day:
    """A due date `n` days after `ref` (before it when negative), made a date by build()."""

    n: int


# (key, kind, days before ref, "HH:MM", fields, links {rel: [keys]})
ENTRIES = [
    (
        "kickoff",
        "communication",
        88,
        "10:00",
        dict(
            title="Checkout v2 kickoff",
            channel="meeting",
            participants=[DANA, MARCUS, PRIYA, WEI, LENA, LINA],
            commitments=[
                dict(who=PRIYA, what="design hand-off for the one-page checkout", due=Day(-67)),
                dict(who=WEI, what="API plan", due=Day(-74)),
            ],
            acknowledged_by=[MARCUS, PRIYA, WEI],
            tags=["kickoff"],
            body="Scope agreed: one-page checkout, saved payment methods, guest checkout.\nOut of scope: loyalty points.\n"
            "Launch target: mid-December.",
        ),
    ),
    (
        "launch-date",
        "decision",
        86,
        "16:30",
        dict(
            title="Launch Checkout v2 on 15 December",
            owner=DANA,
            approved_by=[MARCUS],
            consulted=[WEI, PRIYA],
            informed=[TOM, LINA],
            options=["15 December", "after the January freeze"],
            status="accepted",
            rationale="Catch the holiday traffic; engineering estimate 10 weeks with 2 weeks buffer.",
            tags=["launch", "schedule"],
            evidence=["https://wiki.example.com/checkout-v2/plan"],
        ),
    ),
    (
        "sandbox-risk",
        "risk",
        80,
        "11:15",
        dict(
            title="Payment provider sandbox is unstable",
            owner=WEI,
            raised_by=WEI,
            raised_to=[DANA, MARCUS],
            likelihood="medium",
            impact="high",
            mitigation="Ask the provider for a dedicated sandbox; add contract tests.",
            tags=["payments"],
            body="Sandbox returned 5xx on 12% of calls this week; load tests cannot run against it.",
        ),
    ),
    (
        "wechat-pay",
        "decision",
        78,
        "14:00",
        dict(
            title="支付页面接入微信支付",
            owner=WEI,
            approved_by=[MARCUS],
            consulted=[DANA, LINA],
            rationale="中国用户占比 18%，微信支付是首选支付方式。",
            tags=["payments", "china"],
            options=["只接入支付宝", "同时接入微信支付和支付宝"],
        ),
    ),
    (
        "design-handoff",
        "communication",
        66,
        "15:00",
        dict(
            title="Design hand-off for one-page checkout",
            channel="doc",
            participants=[PRIYA, DANA, WEI],
            acknowledged_by=[WEI],
            evidence=["figma://checkout-v2/final"],
            commitments=[dict(who=WEI, what="start the build", due=Day(-62))],
        ),
    ),
    (
        "saved-carts",
        "change",
        64,
        "09:40",
        dict(
            title="Acme asks for saved carts in v2",
            owner=DANA,
            requested_by=[ACME, TOM],
            approved_by=[MARCUS],
            source="customer",
            previous="Saved carts planned for v2.1",
            status="approved",
            impact={"scope": "+1 screen, cart persistence API", "schedule": "+1 week", "cost": "about 3 engineer-weeks"},
            tags=["scope"],
            causes=["requirement-change"],
            body="Tom says Acme's renewal depends on it. Marcus approved in the exec sync without moving the launch date.",
        ),
    ),
    (
        "told-sales",
        "communication",
        63,
        "17:10",
        dict(
            title="Told Sales the launch date holds despite saved carts",
            channel="email",
            participants=[DANA, TOM],
            informed=[LINA],
            acknowledged_by=[TOM],
            commitments=[dict(who=TOM, what="tell the sales team not to promise loyalty points for v2", due=Day(-60))],
            evidence=["mail: 'Re: saved carts and the 15 Dec date'"],
        ),
    ),
    (
        "offline-cut",
        "decision",
        60,
        "11:00",
        dict(
            title="Cut offline mode from v1",
            owner=DANA,
            requested_by=[SAM],
            consulted=[PRIYA, WEI],
            informed=[TOM, LINA],
            rationale="Budget cut of 15%; offline mode is 4 engineer-weeks.",
            options=["keep offline mode", "cut it"],
            tags=["scope"],
            causes=["resources"],
        ),
    ),
    (
        "budget-cut",
        "note",
        61,
        "18:00",
        dict(
            title="Finance cuts Q4 engineering budget by 15%",
            body="Sam announced it at the all-hands; no details on which teams.",
            tags=["budget"],
        ),
    ),
    (
        "load-test-risk",
        "risk",
        55,
        "10:30",
        dict(
            title="No load test before launch",
            owner=LENA,
            raised_by=LENA,
            raised_to=[DANA, MARCUS],
            likelihood="high",
            impact="high",
            mitigation="Two days of load tests against a staging copy of the provider.",
            tags=["quality", "launch"],
        ),
    ),
    (
        "skip-load-test",
        "decision",
        50,
        "16:00",
        dict(
            title="Skip the full load test to hold the date",
            owner=MARCUS,
            requested_by=[TOM],
            consulted=[LENA, DANA],
            informed=[WEI],
            rationale="Holiday traffic forecast fits last year's capacity; the date matters more.",
            options=["run a 2-day load test and slip", "skip it and hold the date"],
            tags=["launch", "quality"],
            body="Lena disagreed and asked for her objection to be recorded.",
        ),
    ),
    (
        "lena-objection",
        "communication",
        50,
        "16:20",
        dict(
            title="Lena's objection to skipping the load test",
            channel="chat",
            participants=[LENA, MARCUS, DANA],
            acknowledged_by=[MARCUS],
            body="> I can't sign off on launch quality without a load test.\nMarcus: noted, we go anyway.",
            tags=["quality"],
        ),
    ),
    (
        "invoice",
        "change",
        48,
        "10:00",
        dict(
            title="需求变更：结账时支持开具发票",
            owner=LINA,
            requested_by=[LINA],
            approved_by=[DANA],
            source="regulatory",
            impact={"scope": "发票抬头与税号字段", "schedule": "+3 天", "cost": "1 名后端 1 周"},
            status="approved",
            tags=["china"],
            causes=["legal"],
        ),
    ),
    (
        "legal-advice",
        "communication",
        46,
        "11:30",
        dict(
            title="Legal advice on storing tax IDs",
            channel="call",
            participants=[RACHEL, DANA, WEI],
            commitments=[dict(who=RACHEL, what="written guidance on tax IDs: encrypted at rest, kept 7 years", due=Day(-39))],
            acknowledged_by=[WEI],
            causes=["legal"],
        ),
    ),
    (
        "pricing-banner",
        "decision",
        44,
        "15:00",
        dict(
            title="Show the free-shipping threshold in the cart",
            owner=DANA,
            approved_by=[PRIYA],
            consulted=[LINA],
            status="accepted",
            review_by=Day(2),
            tags=["conversion"],
        ),
    ),
    (
        "competitor",
        "note",
        42,
        "09:00",
        dict(
            title="Competitor launched one-tap checkout",
            body="ShopFast shipped one-tap checkout; press coverage is strong.",
            causes=["competition"],
            tags=["market"],
        ),
    ),
    (
        "one-tap",
        "decision",
        41,
        "14:30",
        dict(
            title="Do not add one-tap checkout to v2",
            owner=MARCUS,
            consulted=[DANA, PRIYA],
            informed=[LINA, TOM],
            rationale="Would need a new payments contract; revisit after launch.",
            review_by=Day(60),
            tags=["market"],
            causes=["competition"],
        ),
    ),
    (
        "provider-email",
        "communication",
        40,
        "10:00",
        dict(
            title="Asked the payment provider for a dedicated sandbox",
            channel="email",
            participants=[WEI, DANA],
            body="They promised an answer within 5 working days.",
            follow_up_by=Day(-33),
            tags=["payments"],
        ),
    ),
    (
        "no-answer",
        "note",
        33,
        "09:30",
        dict(
            title="Payment provider has not answered about the sandbox",
            body="Escalated to Marcus in our 1:1; no decision.",
            tags=["payments"],
            causes=["leadership"],
        ),
    ),
    (
        "marketing-promise",
        "communication",
        30,
        "13:00",
        dict(
            title="Marketing campaign brief mentions offline mode",
            channel="doc",
            participants=[LINA, TOM],
            informed=[DANA],
            body="The brief still lists offline mode as a headline feature.",
            tags=["marketing"],
            causes=["expectations"],
        ),
    ),
    (
        "fix-brief",
        "communication",
        29,
        "10:00",
        dict(
            title="Asked marketing to remove offline mode from the brief",
            channel="email",
            participants=[DANA, LINA],
            commitments=[dict(who=LINA, what="update the campaign brief to drop offline mode", due=Day(-26))],
            tags=["marketing"],
        ),
    ),
    (
        "date-move",
        "decision",
        27,
        "17:00",
        dict(
            title="Move the launch to 5 January",
            owner=MARCUS,
            requested_by=[TOM],
            approved_by=[SAM],
            consulted=[DANA],
            informed=[LINA, PRIYA, WEI, LENA],
            rationale="Saved carts and the invoice change ate the buffer.",
            options=["15 December with reduced scope", "5 January with full scope"],
            tags=["launch", "schedule"],
            causes=["schedule"],
        ),
    ),
    (
        "told-acme",
        "communication",
        26,
        "11:00",
        dict(
            title="Told Acme about the 5 January date",
            channel="call",
            owner=TOM,
            participants=[TOM, ACME],
            informed=[DANA],
            acknowledged_by=[ACME],
            body="Acme accepts the date if saved carts are in the 5 January release.",
            commitments=[dict(who=TOM, what="confirm the date and saved carts to Acme in writing", due=Day(-24))],
            follow_up_by=Day(-5),
        ),
    ),
    (
        "a11y-risk",
        "risk",
        25,
        "15:00",
        dict(
            title="Checkout fails WCAG contrast checks",
            owner=PRIYA,
            raised_by=LENA,
            raised_to=[PRIYA],
            likelihood="high",
            impact="medium",
            mitigation="Adjust the palette before the freeze.",
            review_by=Day(-18),
            tags=["quality"],
        ),
    ),
    (
        "palette",
        "decision",
        24,
        "12:00",
        dict(
            title="Adopt the accessible palette",
            owner=PRIYA,
            approved_by=[DANA],
            informed=[WEI],
            review_by=Day(-8),
            tags=["quality"],
        ),
    ),
    (
        "wrong-project",
        "note",
        23,
        "08:45",
        dict(
            title="Loyalty points estimate: 6 weeks",
            body="Logged here by mistake; belongs to the loyalty project.",
            tags=["estimate"],
        ),
    ),
    (
        "code-freeze",
        "decision",
        20,
        "10:00",
        dict(title="Code freeze on 20 December", owner=WEI, approved_by=[MARCUS], informed=[DANA, LENA], tags=["launch"]),
    ),
    (
        "exec-update",
        "communication",
        18,
        "16:00",
        dict(
            title="Exec update: launch readiness amber",
            channel="meeting",
            participants=[DANA, MARCUS, SAM],
            body="Open risks: sandbox stability, no load test. Asked for a decision on the load test again.",
            commitments=[dict(who=MARCUS, what="decide on the load test", due=Day(-15))],
            raised_to=[MARCUS],
            causes=["leadership"],
        ),
    ),
    (
        "no-decision",
        "note",
        14,
        "17:30",
        dict(
            title="No load-test decision by Friday",
            body="Marcus did not answer; the freeze is next week.",
            tags=["quality"],
            causes=["leadership"],
        ),
    ),
    (
        "jira-tool",
        "decision",
        12,
        "11:00",
        dict(
            title="Track launch blockers in one Jira board",
            owner=DANA,
            approved_by=[MARCUS],
            informed=[WEI, LENA, PRIYA],
            tags=["tooling"],
            causes=["tooling"],
        ),
    ),
    (
        "release-notes",
        "communication",
        9,
        "14:00",
        dict(
            title="Release notes sent to Support",
            channel="email",
            owner=DANA,
            participants=[DANA],
            follow_up_by=Day(1),
            informed=["Support team"],
            acknowledged_by=["Support team"],
        ),
    ),
    (
        "go-no-go",
        "decision",
        6,
        "17:00",
        dict(
            title="Go for launch on 5 January",
            owner=MARCUS,
            approved_by=[SAM],
            consulted=[DANA, LENA, WEI],
            informed=[TOM, LINA, PRIYA],
            rationale="All blockers closed except the load test, accepted as a risk.",
            tags=["launch"],
        ),
    ),
    (
        "outage",
        "incident",
        4,
        "09:20",
        dict(
            title="Checkout outage for 47 minutes on launch morning",
            severity="critical",
            body="Payment provider timeouts under launch traffic exhausted the connection pool.\nRevenue impact est. $38k.",
            causes=["risk", "decision", "schedule"],
            evidence=["INC-2291", "https://status.example.com/incidents/2291"],
        ),
    ),
    (
        "postmortem",
        "communication",
        3,
        "15:00",
        dict(
            title="Post-mortem of the launch outage",
            channel="meeting",
            participants=[DANA, MARCUS, WEI, LENA],
            owner=DANA,
            commitments=[
                dict(who=LENA, what="a load test plan for every release", due=Day(2)),
                dict(who=WEI, what="review the provider's SLA", due=Day(10)),
            ],
            follow_up_by=Day(14),
            acknowledged_by=[MARCUS],
            tags=["postmortem"],
        ),
    ),
    (
        "complaints",
        "incident",
        2,
        "10:00",
        dict(
            title="Customers complain offline mode is missing",
            severity="medium",
            body="Support tickets quote the campaign: 'shop offline, check out later'.",
            causes=["expectations", "communication"],
            evidence=["ZD-88412", "ZD-88420"],
        ),
    ),
    (
        "faq",
        "communication",
        1,
        "12:00",
        dict(
            title="Support FAQ: offline mode is not in v2",
            channel="doc",
            participants=[DANA, LINA],
            informed=["Support team"],
            acknowledged_by=["Support team"],
            commitments=[dict(who=LINA, what="add the offline-mode answer to the in-app help", due=Day(2))],
        ),
    ),
    (
        "load-test-policy",
        "decision",
        1,
        "16:00",
        dict(
            title="Every release gets a load test before go/no-go",
            owner=LENA,
            approved_by=[MARCUS],
            consulted=[WEI, DANA],
            tags=["quality"],
            causes=["quality"],
        ),
    ),
    (
        "sla-risk",
        "risk",
        1,
        "17:00",
        dict(
            title="Provider SLA does not cover launch peaks",
            owner=WEI,
            raised_by=WEI,
            raised_to=[MARCUS, SAM],
            likelihood="medium",
            impact="high",
            mitigation="Negotiate burst capacity or add a second provider.",
            review_by=Day(2),
        ),
    ),
    (
        "staffing",
        "change",
        70,
        "14:00",
        dict(
            title="Two backend engineers moved to the loyalty project",
            owner=MARCUS,
            requested_by=[SAM],
            source="internal",
            impact={"schedule": "+1 week", "scope": "none yet"},
            status="approved",
            informed=[DANA, WEI],
            causes=["resources"],
        ),
    ),
    (
        "weekly-status",
        "communication",
        35,
        "17:00",
        dict(
            title="Weekly status to the exec team: sandbox still blocked",
            channel="email",
            participants=[DANA],
            informed=[MARCUS, SAM],
            raised_to=[MARCUS, SAM],
            body="Third week the sandbox risk is listed as open. No reply so far.",
            causes=["leadership"],
        ),
    ),
    (
        "beta-feedback",
        "note",
        15,
        "11:00",
        dict(
            title="Beta users cannot find guest checkout",
            body="9 of 20 beta testers looked for it for more than 30 s.",
            tags=["beta"],
            causes=["feedback"],
            evidence=["https://research.example.com/beta-round-2"],
        ),
    ),
    (
        "guest-button",
        "decision",
        13,
        "10:00",
        dict(
            title="Move the guest checkout button above the fold",
            owner=PRIYA,
            approved_by=[DANA],
            consulted=[LENA],
            review_by=Day(-3),
            tags=["beta", "conversion"],
        ),
    ),
    (
        "beta-thanks",
        "communication",
        11,
        "16:00",
        dict(title="Thanked beta testers and shared the fix", channel="email", participants=[PRIYA], informed=["Beta testers"]),
    ),
    (
        "support-risk",
        "risk",
        9,
        "11:00",
        dict(
            title="Support cannot absorb launch-week ticket volume",
            owner=DANA,
            raised_by=DANA,
            status="mitigating",
            likelihood="medium",
            impact="medium",
            mitigation="Two extra support shifts in launch week; the FAQ ready before launch.",
            review_by=Day(-2),
            tags=["launch"],
        ),
    ),
    (
        "chargeback-risk",
        "risk",
        4,
        "16:00",
        dict(
            title="Guest checkout may raise chargebacks",
            owner=WEI,
            raised_by=WEI,
            raised_to=[SAM],
            likelihood="low",
            impact="high",
            mitigation="3-D Secure on guest orders over $200.",
            review_by=Day(14),
            tags=["payments"],
        ),
    ),
    (
        "retro-note",
        "note",
        0,
        "09:00",
        dict(
            title="复盘：上线故障的根本原因",
            body="1. 没有压测\n2. 支付沙箱问题一直没有解决\n3. 上线日期被压缩",
            tags=["postmortem", "china"],
            causes=["risk", "schedule"],
        ),
    ),
]

LINKS = {
    "date-move": {"supersedes": ["launch-date"], "caused_by": ["saved-carts", "invoice"]},
    "offline-cut": {"caused_by": ["budget-cut"]},
    "skip-load-test": {"relates": ["load-test-risk"]},
    "one-tap": {"caused_by": ["competitor"]},
    "outage": {"caused_by": ["skip-load-test", "sandbox-risk", "date-move"]},
    "complaints": {"caused_by": ["marketing-promise", "offline-cut"]},
    "fix-brief": {"relates": ["marketing-promise"]},
    "load-test-policy": {"caused_by": ["outage"]},
    "sla-risk": {"relates": ["outage"]},
    "palette": {"caused_by": ["a11y-risk"]},
    "guest-button": {"caused_by": ["beta-feedback"]},
    "saved-carts": {"relates": ["staffing"]},
}

# (target key, days before ref, "HH:MM", recorded_by, changes or None for a retraction, reason)
CORRECTIONS = [
    (
        "offline-cut",
        58,
        "09:00",
        DANA,
        {"owner": MARCUS, "approved_by": [MARCUS]},
        "Marcus made the call in the exec sync; it was recorded under my name by mistake.",
    ),
    (
        "sandbox-risk",
        32,
        "10:00",
        DANA,
        {"status": "accepted", "mitigation": "Accepted by Marcus: no dedicated sandbox before launch."},
        "Marcus accepted the risk in our 1:1 instead of escalating to the provider.",
    ),
    ("load-test-risk", 14, "18:00", DANA, {"status": "accepted"}, "No decision was made; the risk stands accepted by default."),
    ("wrong-project", 23, "09:40", DANA, None, "Logged in the wrong journal; belongs to the loyalty project."),
    ("outage", 3, "09:00", DANA, {"status": "resolved", "approved_by": [MARCUS]}, "Post-mortem signed off by Marcus."),
    ("sandbox-risk", 4, "12:00", DANA, {"status": "occurred"}, "The risk materialised in the launch outage."),
    (
        "code-freeze",
        19,
        "10:00",
        WEI,
        {"title": "Code freeze on 22 December"},
        "Freeze moved two days to fit the invoice change.",
    ),
]


# Loops closed or re-opened, as `loop` records (pmjournal done / reopen):
# (entry key, loop, state, days before ref, "HH:MM", by, note)
LOOPS = [
    ("kickoff", "commitment-2", "done", 75, "10:00", WEI, "API plan shared on the wiki"),
    ("kickoff", "commitment-1", "done", 66, "15:00", PRIYA, "hand-off doc shared"),
    ("design-handoff", "commitment-1", "done", 62, "09:30", WEI, "build started"),
    ("told-sales", "commitment-1", "done", 61, "11:00", TOM, "said at the sales all-hands"),
    ("load-test-risk", "answer", "done", 50, "16:30", MARCUS, "decided to skip the load test and hold the date"),
    ("legal-advice", "commitment-1", "done", 40, "17:00", RACHEL, "memo sent"),
    ("provider-email", "follow-up", "done", 33, "09:00", DANA, "chased by email and phone; no answer; escalated to Marcus"),
    ("sandbox-risk", "answer", "done", 32, "10:00", MARCUS, "accepted the risk in our 1:1"),
    ("fix-brief", "commitment-1", "done", 26, "16:00", LINA, "brief updated"),
    ("told-acme", "commitment-1", "done", 24, "10:00", TOM, "email sent to Acme"),
    ("a11y-risk", "answer", "done", 24, "12:30", PRIYA, "adopting the accessible palette"),
    ("a11y-risk", "review", "done", 18, "14:00", PRIYA, "contrast re-checked: every checkout screen passes"),
    ("palette", "review", "done", 9, "11:00", PRIYA, "no contrast bugs reported in beta"),
    ("fix-brief", "commitment-1", "open", 2, "11:00", DANA, "support tickets quote the old brief: the first version still ran"),
    ("postmortem", "commitment-1", "done", 1, "16:30", LENA, "every release gets a load test (decision recorded)"),
]


def _dated(values: dict, ref: datetime) -> dict:
    """The entry's fields with every Day made an ISO date, `n` days from ref's day."""

    def day(value):
        return (ref + timedelta(days=value.n)).date().isoformat() if isinstance(value, Day) else value

    out = {k: day(v) for k, v in values.items()}
    if isinstance(out.get("commitments"), list):
        out["commitments"] = [{**item, "due": day(item["due"])} for item in out["commitments"]]
    return out


def build(ref: datetime | None = None, user: str = DANA, now: datetime | None = None) -> list[dict]:
    """The demo's record bodies, ready for Journal.append_raw, in recording order.

    Without `ref` the demo is dated around `now` (default: the clock), and nothing in it
    happens or is recorded after `now`: the newest note, dated 09:00 on ref's day, is
    moved to just before `now` when the demo is written earlier in the day. A fixed `ref`
    (docs, snapshots) gives the same demo whatever the clock says.
    """
    if ref is None:
        now = now or dates.now()
        ref = now
    ref = ref.replace(second=0, microsecond=0)
    ids: dict[str, str] = {}
    events = []
    for (
        key,
        kind,
        days,
        hhmm,
        fields,
    ) in ENTRIES:
        hour, minute = map(int, hhmm.split(":"))
        when = (ref - timedelta(days=days)).replace(hour=hour, minute=minute)
        if now is not None and when + timedelta(minutes=25) > now:
            when = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
        values = {**_dated(fields, ref), "occurred_at": dates.iso(when), "project": fields.get("project", P)}
        for rel, keys in LINKS.get(key, {}).items():
            values.setdefault("links", []).extend({"rel": rel, "to": k} for k in keys)
        recorded = when + timedelta(minutes=25)
        events.append((recorded, key, kind, values))
    for i, (key, days, hhmm, who, changes, reason) in enumerate(CORRECTIONS):
        hour, minute = map(int, hhmm.split(":"))
        recorded = (ref - timedelta(days=days)).replace(hour=hour, minute=minute)
        events.append((recorded, f"fix-{i}", "retraction" if changes is None else "amendment", (key, who, changes, reason)))
    for i, (key, loop, state, days, hhmm, who, note) in enumerate(LOOPS):
        hour, minute = map(int, hhmm.split(":"))
        when = (ref - timedelta(days=days)).replace(hour=hour, minute=minute)
        values = {"loop": loop, "state": state, "occurred_at": dates.iso(when), "by": who, "note": note}
        events.append((when + timedelta(minutes=10), f"loop-{i}", "loop", (key, values)))
    events.sort(key=lambda e: e[0])
    bodies = []
    for recorded, key, kind, payload in events:
        ms = int(recorded.timestamp() * 1000)
        ids[key] = derived_id(ms, key)
        stamp = {"id": ids[key], "recorded_at": recorded.astimezone(UTC).isoformat(timespec="milliseconds")}
        if kind == "loop":
            target, values = payload
            body = {**model.build_loop(ids[target], values), "recorded_by": user, **stamp}
        elif kind in model.META_KINDS:
            target, who, changes, reason = payload
            body = {"kind": kind, "target": ids[target], "reason": reason, "recorded_by": who, **stamp}
            if changes is not None:
                body["changes"] = model.clean_changes(_kind_of(target), changes)
        else:
            values = dict(payload)
            values["links"] = [{"rel": link["rel"], "to": ids[link["to"]]} for link in values.get("links", [])]
            entry = model.build_entry(kind, values)
            model.check_due_dates(entry)
            body = {**entry, "recorded_by": user, **stamp}
        bodies.append(body)
    return bodies


def _kind_of(key: str) -> str:
    return next(kind for k, kind, *_ in ENTRIES if k == key)


def write_demo(journal, ref: datetime | None = None) -> int:
    """Fill an empty journal with the demo; refuse one that holds anything.

    Under the write lock from the look to the write: an `add` in another terminal between the
    two put the user's entry first and 68 sample records after it, for good (a robustness hunt)."""
    with journal.storage.file.locked():
        if n := len(journal):
            raise PmjournalError(
                _("{path} already holds {n} records; the demo only goes into an empty journal").format(path=journal.path, n=n)
            )
        if ref is not None:
            # The same demo, byte for byte, for a given ref (docs and snapshots): the header is chained.
            journal.storage.file.create(ref.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        return len(journal.append_raw(build(ref)))
