"""Why product managers get blamed: the cause taxonomy (产品经理背锅原因).

Carried here, not read from the design notes, so the package is
self-contained. The keys are stable: they are stored in journals and exports.
"""

from collections import namedtuple

from .i18n import N_

# One cause, immutable. A named tuple rather than a frozen dataclass: `pmjournal add --cause`
# reads this table, and importing dataclasses (inspect, ast, dis, tokenize) costs ~8 ms.
Cause = namedtuple("Cause", ("key", "label", "zh", "sub_causes", "record"))


CAUSES: tuple[Cause, ...] = (
    Cause(
        "expectations",
        "Inflated expectations",
        "高期望值",
        N_("management, customer and team expectations far above what was agreed"),
        "what was promised, by whom, to whom, when",
    ),
    Cause(
        "communication",
        "Communication breakdown",
        "沟通不畅",
        N_("internal (dev/design/marketing misread a requirement); external (customer, market)"),
        "who was told what, through which channel, and whether they acknowledged it",
    ),
    Cause(
        "decision",
        "Decision error",
        "决策失误",
        N_("requirement assessed or prioritised wrongly; market misjudged"),
        "who decided, options weighed, rationale, who approved",
    ),
    Cause(
        "requirement-change",
        "Requirement change",
        "需求变更",
        N_("requested by the customer; internal/strategic change"),
        "who requested it, who approved it, impact on scope, schedule and cost",
    ),
    Cause("resources", "Insufficient resources", "资源不足", N_("people; budget"), "what was asked for, who refused or cut it"),
    Cause(
        "collaboration",
        "Team collaboration",
        "团队协作问题",
        N_("poor cooperation; skills gaps"),
        "who committed to what, and when",
    ),
    Cause(
        "ownership",
        "Unclear ownership",
        "责任归属不清",
        N_("unclear division of responsibility; problems hard to trace back"),
        "the accountable person of every call, and links from a failure back to its causes",
    ),
    Cause(
        "risk",
        "Risk management",
        "风险管理不足",
        N_("risk underestimated; response ineffective"),
        "who raised the risk, to whom, when, what response was agreed and by whom",
    ),
    Cause(
        "tooling",
        "Tooling",
        "项目管理工具的选择",
        N_("wrong tool chosen; tool misused"),
        "the decision to adopt a tool, and who made it",
    ),
    Cause(
        "external",
        "External change",
        "外部环境变化",
        N_("policy change; competition"),
        "when the change was known, and what was decided about it",
    ),
    Cause(
        "positioning",
        "Product positioning",
        "产品定位不准",
        N_("wrong market segment; user needs misjudged"),
        "the positioning decision and its evidence",
    ),
    Cause(
        "quality",
        "Product quality",
        "产品质量问题",
        N_("features incomplete; quality control lax"),
        "scope cuts and who approved shipping",
    ),
    Cause(
        "schedule",
        "Time management",
        "时间管理不善",
        N_("schedule slipped; time badly allocated"),
        "the dates agreed, and every change to them with its requester",
    ),
    Cause("culture", "Team culture", "团队文化问题", N_("poor morale; misaligned values"), "escalations and who received them"),
    Cause(
        "leadership",
        "Leadership support",
        "领导支持不足",
        N_("resources not backed; decisions not made or delayed"),
        "what was escalated to leadership, when, and the answer (or its absence)",
    ),
    Cause(
        "feedback",
        "User feedback handling",
        "用户反馈处理不当",
        N_("feedback ignored; handled too slowly"),
        "feedback received, and who decided what to do with it",
    ),
    Cause(
        "go-to-market",
        "Go-to-market",
        "市场推广不力",
        N_("wrong promotion strategy; promotion under-funded"),
        "the launch plan decisions and their owners",
    ),
    Cause(
        "competition",
        "Competitor pressure",
        "竞争对手压力",
        N_("strong competitors; competitor moves"),
        "what was known of a competitor move, and the response decided",
    ),
    Cause(
        "economy",
        "Economic climate",
        "外部经济环境",
        N_("recession; consumer confidence"),
        "the external fact and the decision it triggered",
    ),
    Cause(
        "legal",
        "Law and compliance",
        "法律法规",
        N_("regulations changed; compliance risk"),
        "the compliance advice given, to whom, and what was decided",
    ),
)

BY_KEY: dict[str, Cause] = {c.key: c for c in CAUSES}


def describe(key: str) -> str:
    """'decision (Decision error, 决策失误)', or the bare key if unknown; in Chinese
    'decision（决策失误）': the key is what --cause takes, the label what it means."""
    from .i18n import language

    cause = BY_KEY.get(key)
    if cause is None:
        return key
    if language() == "zh_CN":
        return f"{key}（{cause.zh}）"
    return f"{key} ({cause.label}, {cause.zh})"
