"""Which came first: the contest prize or moving into the park?

Article 4 rewards an institution that moves into the park after winning a prize at a national or
Tianjin HR services contest (a landing bonus); article 10 matches, 1:1, the prize of one already in
the park. The question's words are the same for both ("大赛", "获奖", "入驻", "prize", "move in");
only their order tells them apart ("入驻前获奖" and "获奖后入驻" are article 4, "入驻后获奖" is 10),
and the model, counting words, cannot see order. So the order is read here and given to the model
as a flag.

Works on ``normalize_query`` text: lower case, Simplified, punctuation turned into spaces.
"""
from __future__ import annotations

import re

PRIZE_FIRST = "F:prize_first"  # won the prize, then moved in: article 4
PARK_FIRST = "F:park_first"    # in the park, then won the prize: article 10

# The two events in words. Moving in: "入驻", "迁入", "落户", "move in", "join the park", "register
# in the park"; winning: "获奖", "大赛", "won", "prize", "contest" (not "营收奖励": an award of the policy).
_PARK_ZH = (r"(?:入驻|入园|进园|进驻|迁入|迁到|迁来|搬进|搬入|搬到|搬来|搬过来|落户|落地(?!奖)|来园区|到园区|进入园区|"
            r"注册到园区|在园区注册|进园子|来园子)")
_PRIZE_ZH = (r"(?:获奖|得奖|拿奖|大赛|比赛|竞赛|评比|奖项|获得[^ ]{0,6}?(?:等奖|金奖|银奖|铜奖|名次|冠军)|"
             r"拿了?[^ ]{0,4}?(?:等奖|金奖|银奖|铜奖|名次|冠军))")
_MOVE_EN = (r"(?:join|joined|joining|move|moved|moving|came|come|coming|relocat\w*|enter|entered|entering|"
            r"register\w*|settl\w*|set\s+up|setting\s+up)")
_PARK_EN = (r"(?:" + _MOVE_EN + r"(?:\s+\w+){0,3}?\s+(?:in|into|to|at)?\s*(?:the\s+)?park"
            r"|(?:moving|move|moved)\s+in\b|(?:join|joined|joining)\s+(?:the\s+)?(?:park|hub|zone))")
_PRIZE_EN = r"(?:won|win|winning|prize\w*|contest\w*|competition\w*|champion\w*)"
_BEFORE_EN = r"(?:before|prior\s+to|b4|ahead\s+of)"
_AFTER_EN = r"(?:after|since|following)"
_THEN_EN = r"(?<!by\s)(?:then|later|afterwards?|subsequently|after\s+that|after\s+this)"  # (not "by then")
# A move still to come: "we won ... and will register there next month", "plan to relocate"
# ("we'll" is "we ll" once normalised); the move in _MOVE_EN's words.
_PLAN_EN = (r"(?:will|ll|going\s+to|gonna|plan\w*\s+to|intend\w*\s+to|about\s+to|hop\w+\s+to|want\s+to|"
            r"consider\w*|think\w*\s+(?:of|about))")
_WON_EN = r"(?:won|got|received|took|bagged|awarded)"
_PLAN_ZH = r"(?:打算|准备|计划|考虑|想|拟|将要|即将|下个?月|明年|年底前?)"

_ZH_RULES = (
    # "获奖时还没进园区", "已经入驻园区…获奖": one event's state at the other's time.
    (re.compile(r"(?:还没|还未|尚未|没有|未)(?:进|入驻|入园|来|搬|迁|落户|注册)"), PRIZE_FIRST),
    (re.compile(r"(?:已经|已)(?:在园区|入驻|入园|进驻|落户)"), PARK_FIRST),
    # "入驻前获奖", "入园之前拿了大赛奖", "获奖后才入驻", "获奖在前": an event, then 前 / 后.
    (re.compile(_PARK_ZH + r"[^ ]{0,4}?(?:前|之前|以前)"), PRIZE_FIRST),
    (re.compile(_PARK_ZH + r"[^ ]{0,4}?(?:后|之后|以后)"), PARK_FIRST),
    (re.compile(_PRIZE_ZH + r"[^ ]{0,4}?(?:前|之前|以前)[^ ]{0,6}?" + _PARK_ZH), PARK_FIRST),
    (re.compile(_PRIZE_ZH + r"[^ ]{0,4}?(?:后|之后|以后)[^ ]{0,6}?" + _PARK_ZH), PRIZE_FIRST),
    (re.compile(_PRIZE_ZH + r"在前"), PRIZE_FIRST),
    (re.compile(_PARK_ZH + r"在前"), PARK_FIRST),
    # "比赛拿了奖再来园区落户", "入驻园区后来又获奖", "获奖机构注册入园", "入驻机构参加大赛获奖"
    (re.compile(_PRIZE_ZH + r"[^ ]{0,8}?(?:再|然后|才|后来|随后)[^ ]{0,4}?" + _PARK_ZH), PRIZE_FIRST),
    (re.compile(_PARK_ZH + r"[^ ]{0,8}?(?:再|然后|后来|随后)[^ ]{0,6}?" + _PRIZE_ZH), PARK_FIRST),
    (re.compile(r"获奖的?(?:机构|企业|公司|团队)[^ ]{0,4}?" + _PARK_ZH), PRIZE_FIRST),
    (re.compile(r"(?:入驻|园区内?|园区里)的?(?:机构|企业|公司|单位)[^ ]{0,12}?" + _PRIZE_ZH), PARK_FIRST),
    # "先入驻再获奖", "先拿奖再搬过来"
    (re.compile(r"先(?:在|是|去)?" + _PARK_ZH), PARK_FIRST),
    (re.compile(r"先" + _PRIZE_ZH), PRIZE_FIRST),
    # "市里大赛拿了一等奖，打算在园区注册个子公司": the prize won, the move still planned.
    (re.compile(r"(?:获|拿|得)了?[^ ]{0,12}?(?:奖|冠军|名次).{0,30}?" + _PLAN_ZH + r"[^ ]{0,8}?(?:" + _PARK_ZH + "|注册)"),
     PRIZE_FIRST),
)

_EN_RULES = (
    # "when we won we were not yet in the park", "we are already in the park", "existing tenants"
    (re.compile(r"\bnot\s+(?:yet\s+)?(?:\w+\s+){0,2}?(?:in|at|inside)\s+(?:the\s+)?park"), PRIZE_FIRST),
    (re.compile(r"already\s+(?:\w+\s+){0,3}?(?:in|at|inside|into)\s+(?:the\s+)?park|(?:existing|current)\s+tenants?\b"),
     PARK_FIRST),
    # "joined the park first and then won", "won the contest, then moved in"
    (re.compile(_PARK_EN + r"(?:\s+\w+){0,8}?\s+" + _THEN_EN + r"\s+(?:\w+\s+){0,3}?" + _PRIZE_EN), PARK_FIRST),
    (re.compile(r"\b" + _PRIZE_EN + r"(?:\s+\w+){0,8}?\s+" + _THEN_EN + r"\s+(?:\w+\s+){0,3}?" + _PARK_EN), PRIZE_FIRST),
    # "moved into the park last year and won a prize", "won the contest and moved in"
    (re.compile(_PARK_EN + r"(?:\s+\w+){0,4}?\s+and\s+(?:then\s+|later\s+)?(?:\w+\s+){0,2}?(?:won|win)\b"), PARK_FIRST),
    (re.compile(r"\b(?:won|win)\b(?:\s+\w+){0,8}?\s+and\s+(?:then\s+|later\s+)?(?:\w+\s+){0,2}?" + _PARK_EN), PRIZE_FIRST),
    # "won before moving in", "before we came to the park, we won": the park after.
    (re.compile(r"\b" + _BEFORE_EN + r"\s+(?:\w+\s+){0,3}?" + _PARK_EN), PRIZE_FIRST),
    (re.compile(r"\b" + _BEFORE_EN + r"\s+(?:\w+\s+){0,3}?" + _PRIZE_EN), PARK_FIRST),
    # "after joining the park we won", "moved in after winning"
    (re.compile(r"\b" + _AFTER_EN + r"\s+(?:\w+\s+){0,3}?" + _PARK_EN), PARK_FIRST),
    (re.compile(r"\b" + _AFTER_EN + r"\s+(?:\w+\s+){0,3}?" + _PRIZE_EN), PRIZE_FIRST),
    # "we won the city contest and will register there next month": the prize won, the move planned.
    (re.compile(r"\b" + _WON_EN + r"\b(?:\s+\w+){0,12}?\s+" + _PLAN_EN + r"\s+(?:\w+\s+){0,2}?" + _MOVE_EN + r"\b"),
     PRIZE_FIRST),
)

_PRIZE_WORD = re.compile(_PRIZE_ZH + "|" + r"\b" + _PRIZE_EN + r"\b")


def prize_order(normalized: str) -> str | None:
    """PRIZE_FIRST or PARK_FIRST when a question about a contest prize says which came first, else
    None (no prize named, or nothing said about the order)."""
    if _PRIZE_WORD.search(normalized) is None:
        return None
    rules = _EN_RULES if normalized.isascii() else _ZH_RULES + _EN_RULES
    for pattern, order in rules:
        if pattern.search(normalized):
            return order
    return None
