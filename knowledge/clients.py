"""The clients an HR firm names: "RPO provider for pharmaceutical manufacturers", "给建筑工地和装修队派工人".

An HR service firm often says whom it serves, and the trades it names ("pharmaceutical
manufacturers", "快递分拣中心", "bus companies") are words the matcher otherwise reads as the
asker's own trade: such questions were answered "the policy does not cover this" although the
asker is an agency asking about one of its awards. The trades an agency serves are open-ended, so
no list of them can keep up; the forms of saying "we serve X" are few. Before the question is
analysed, each such X is replaced by one neutral word (客户 / clients), so the matcher and its
model see "劳务派遣公司，给客户派工人" however many trades there are.

Only where the question holds a word of the HR trade outside the clients named, and never over a
word of the policy (an award, the park, the rent...): "我们是鞋厂，给工人发奖金" keeps its words.
"""
from __future__ import annotations

import re

from knowledge.business import _HR_WORDS, _HR_TRADE_WORK

# The HR trade and its work, as the asker's business: business._HR_WORK's words without its verbs of
# placing people ("places", "placed"), which here may name what the clients do.
_HR_WORK = re.compile(_HR_WORDS + "|" + _HR_TRADE_WORK + r"|猎|派工|agency|agencies|placement|interim")

CLIENTS_ZH = "客户"
CLIENTS_EN = "clients"

# Words of the policy or of the asker, never part of the clients named: a phrase holding one is
# not a list of clients ("给园区企业办活动", "for the rent subsidy", "for our own staff").
_ZH_NOT_CLIENTS = re.compile(
    r"园|补贴|补助|奖|房租|租金|营收|收入|政策|条|机构|人力|人资|派遣|招聘|猎头|外包|区|西青|天津|市|活动|上市|券|"
    r"资金|钱|费|申请|办理|材料|我|咱|俺|本|你|您|大家|自己|员工|职工|劳务|人才|供应|高管|家属|配偶|子女|入驻|办|举|开|店员|工人")
_EN_NOT_CLIENTS = re.compile(
    r"\b(?:subsid\w*|awards?|rewards?|bonus\w*|grants?|funds?|funding|rent\w*|revenue|income|parks?|polic\w*|"
    r"articles?|clauses?|events?|forums?|fairs?|listing|ipo|vouchers?|brand\w*|operat\w*|build\w*|competition\w*|"
    r"prizes?|rooms?|halls?|office\w*|space|tax\w*|years?|months?|district|xiqing|tianjin|help|support|money|"
    r"apply\w*|application|hr|human|staffing|recruit\w*|dispatch\w*|outsourc\w*|agency|agencies|"
    r"our|my|us|we|me|it|its|this|that|these|those|them|their|own|you|your|long|free|example|instance|now|"
    r"how|what|which|who|whom|why|when|where|executives?|managers?|management|leaders?|directors?|employees?|staff|"
    r"spouses?|famil\w*|children|talents?|members?|tenants?|institutions?|firms?|jobs?|positions?|roles?|work|"
    r"find|hire|hiring|get|fill|source|look|search|meet|pay|cover|do|make|handle|manage|run)\b")

_ZH_CLIENT_CHARS = r"[^,，。;；:：!?？！\s()（）“”\"'、]{2,14}?(?:[、和及与跟][^,，。;；:：!?？！\s()（）“”\"']{1,12}?)*"
# The HR work an agency does for its clients ("派工人", "提供劳务派遣", "做招聘测评", "招人").
_ZH_HR_DOES = (r"(?:派|输送|招人|招工|招聘|找人|培训|推荐人才|代发|代缴|算工资|猎|"
               r"(?:提供|做|搞|负责)[^,，。;；!?？！\s]{0,6}?(?:劳务|人力|派遣|外包|招聘|猎头|培训|测评|人才|用工|薪|社保|"
               r"背调|rpo|eor|hr|人事|档案|招工|招人))")
# "主要服务新能源汽车和动力电池行业", "客户主要是连锁餐饮品牌", "服务的是几家快递分拣中心"
_ZH_SERVES = re.compile(
    r"(?:(?:主要|专门|长期|重点|一直|专注)(?:是|为|于)?服务(?:于|的是|对象是|对象主要是)?|服务(?:于|的是|对象是|对象主要是|对象为|"
    r"的客户(?:主要)?是|的企业(?:主要)?是)|(?:主要)?客户(?:群体?)?(?:主要|大多|多半|基本上)?(?:是|为|有|包括|集中在))"
    r"(?P<clients>" + _ZH_CLIENT_CHARS + r")(?=[,，。;；!?？！\s]|$|的|等|这|那|为主|比较|居多)")
# "给建筑工地和装修队派工人", "为制造企业提供劳务派遣", "帮工厂招人"
_ZH_FOR = re.compile(
    r"(?:给|(?<![因以成作])为(?!了)|帮|替)(?P<clients>" + _ZH_CLIENT_CHARS + r")(?=" + _ZH_HR_DOES + ")")

# An agency's work, then whom for: "payroll outsourcing for nursing homes", "Executive search for
# shipping companies", "Labour dispatch of drivers for bus companies", "We sell HR SaaS to supermarkets".
_EN_HR_HEAD = (r"\b(?:hr|human resources?|labou?r|staffing|recruitment|recruiting|headhunting|executive search|talent "
               r"(?:acquisition|assessment|search|sourcing)|payroll|outsourcing|dispatch|rpo|eor|assessments?|training|"
               r"placement|employment|workforce|personnel|manpower|temp|temping)"
               r"(?:\s+(?:and|&|tax|hr|service|services|provider|providers|outsourcing|firm|company|agency|platform|saas|"
               r"software|solutions|centres?|centers?|business|boutique|specialists?|partner|of\s+[a-z-]+(?:\s+[a-z-]+)?))*")
# ...or the people it supplies, then to whom: "supplies part-time labellers to AI data annotation companies".
_EN_SUPPLIES = (r"\b(?:suppl\w*|plac\w*|dispatch\w*|send\w*|provid\w*|second\w*|lend\w*|outsourc\w*|deliver\w*)"
                r"(?:\s+[a-z-]+){0,3}?\s+(?:[a-z-]+(?:ers|ors|ists|ians|ees)|nurses|staff|people|temps|labou?r|labou?rers|"
                r"talent|crews?|personnel|candidates|graduates|hires|drivers|guards|cleaners|workforce)")
# The clients: a few words ending in a plural noun or a trade's collective ("industry", "sector"), up to
# the end of the clause or a word that starts another part of the sentence ("...chains and we", "here").
_EN_STOP = (r"(?:here|in|at|on|based|planning|plans?|we|our|us|i|can|could|would|will|is|are|was|were|be|wants?|"
            r"what|how|which|who|do|does|did|get|got|have|has|had|since|because|so|but|with|under|after|before|"
            r"from|during|to|into|for|that|it|its|as|through|via|across|around|near|mostly|mainly|too|also|just|"
            r"now|hiring|need|needs|looking|like|such|including|plus|ranks?|won|moved|relocated|asks|says|wonders|"
            r"thinks|pays|counts|qualifies|applies|gets)")
_EN_CLIENT_WORDS = (r"(?:the\s+)?(?:(?!" + _EN_STOP + r"\b)[a-z0-9&'/-]+\s+){0,6}"
                    r"(?!" + _EN_STOP + r"\b)(?:[a-z&'/-]*[a-z]s|industry|industries|sector|sectors|trade)")
_EN_SERVES = re.compile(
    r"(?:" + _EN_HR_HEAD + r"|" + _EN_SUPPLIES + r")\s+(?:for|to|into|serving|in)\s+(?P<clients>" + _EN_CLIENT_WORDS + r")"
    r"(?=\s*(?:[,.;:!?()—–\"]|-\s|$)|\s+(?:and\s+)?" + _EN_STOP + r"\b)")


def _hr_words_outside(text: str, spans: list[tuple[int, int]]) -> bool:
    """A word of the HR trade's work in the text outside the clients' spans?"""
    start, rest = 0, []
    for begin, end in spans:
        rest.append(text[start:begin])
        start = end
    rest.append(text[start:])
    return _HR_WORK.search(" ".join(rest)) is not None


def client_spans(cleaned: str) -> list[tuple[int, int, str]]:
    """The clients an HR firm names in a cleaned question: (start, end, neutral word) each."""
    spans = []
    if not cleaned.isascii():
        for pattern in (_ZH_SERVES, _ZH_FOR):
            for match in pattern.finditer(cleaned):
                clients = match.group("clients")
                if len(clients) >= 2 and not _ZH_NOT_CLIENTS.search(clients):
                    spans.append((match.start("clients"), match.end("clients"), CLIENTS_ZH))
    if " " in cleaned:
        for match in _EN_SERVES.finditer(cleaned):
            clients = match.group("clients")
            if not _EN_NOT_CLIENTS.search(clients):
                spans.append((match.start("clients"), match.end("clients"), CLIENTS_EN))
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for span in spans[1:]:
        if span[0] < merged[-1][1]:  # overlapping forms: the first, longer one holds
            continue
        merged.append(span)
    if not _hr_words_outside(cleaned, [(a, b) for a, b, _ in merged]):
        return []
    return merged


def with_clients_named_plainly(cleaned: str) -> str:
    """The cleaned question with the clients an HR firm names replaced by 客户 / clients."""
    if _HR_WORK.search(cleaned) is None:  # (most questions: one scan, nothing to do)
        return cleaned
    spans = client_spans(cleaned)
    if not spans:
        return cleaned
    out, start = [], 0
    for begin, end, word in spans:
        out.append(cleaned[start:begin])
        out.append(word)
        start = end
    out.append(cleaned[start:])
    return "".join(out)
