"""Answers read the way people type them: yes/no, choices, money, whole numbers, and facts in free text.

Every parser returns None when it does not understand; none raises. Money is an int in yuan.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_PARSE_CHARS = 400   # longer text is not an answer; keeps hostile input cheap

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "点"

YES_WORDS = {"是", "是的", "有", "有的", "对", "对的", "没错", "符合", "都符合", "嗯", "好", "好的", "可以",
             "当然", "确定", "已经", "肯定", "是啊", "对啊", "有啊", "y", "yes", "yeah", "yep", "yup",
             "true", "ok", "okay", "sure", "correct", "right"}
NO_WORDS = {"否", "不", "不是", "没有", "没", "无", "不对", "不符合", "还没有", "还没", "未", "并没有",
            "不是的", "没有的", "n", "no", "nope", "not", "false", "none"}

NONE_AMOUNT_WORDS = {"没有", "无", "没", "零", "0", "none", "no", "nothing", "没有获奖", "没有活动",
                     "没举办", "没有举办", "还没有", "暂无", "没花钱"}

FILLER_RE = re.compile(
    r"(大约|大概|约|差不多|左右|上下|一共|总共|共计|共|合计|大致|估计|预计|应该是|应该|是|为|有|"
    r"人民币|rmb|cny|rmb\.|yuan|块钱|块|圆|元整|元|about|around|approx\.?|approximately|roughly|"
    r"交了|缴了|缴纳了|缴纳|交|花了|花费|支出|费用|金额|今年|去年|上一年度?|上年度?)",
)


def clean(text: object) -> str:
    """Text made safe to look at: a str, control characters dropped, width folded, at most
    MAX_PARSE_CHARS characters."""
    if not isinstance(text, str):
        return ""
    text = "".join(ch for ch in text[: MAX_PARSE_CHARS * 4]
                   if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_PARSE_CHARS]


# Latin words that say nothing about the writer's language ("80w", "RMB", "ok" are typed in Chinese too).
LANG_NEUTRAL_WORDS = {"ok", "okay", "rmb", "cny", "mn", "bn", "wan", "yuan", "ipo", "hr"}


_AMOUNT_IN_CHINESE_UNITS = re.compile(r"(?<=[0-9０-９.])\s*(?:[千百]?[万萬亿億](?:人民币|元)?|[元块])")


# English sentences are built on these words; a Chinese writer's English terms ("payroll
# outsourcing", "rent subsidy", "apply") seldom bring two of them.
ENGLISH_FRAME_WORDS = frozenset(
    "an the is are was were be been can could do does did will would should may might must we you it they "
    "our my your their this that what how when where who which why whether if for of to in on at by with from "
    "about any there and or not".split())
_CHINESE_RUN = re.compile(r"[\u3400-\u9fff]+")


def text_lang(text: object) -> str | None:
    """The language a message is written in: "zh" with Chinese words, "en" with English words and
    no Chinese, or an English sentence around a Chinese term ("How long can we get the 房租补贴?");
    None for neither (a number, an amount, a command)."""
    s = clean(text)
    if not s or s.startswith("/"):
        return None
    # "Our revenue is 3亿, can we get the 30万 award?": amounts in Chinese units are how English
    # writers in China write figures too; only other Chinese characters make a message Chinese.
    chinese_runs = _CHINESE_RUN.findall(_AMOUNT_IN_CHINESE_UNITS.sub(" ", s))
    words = [w for w in re.findall(r"[a-z]+", fold(s)) if len(w) >= 2 and w not in LANG_NEUTRAL_WORDS]
    if not chinese_runs:
        return "en" if words else None
    # A Chinese term in an English sentence is how the policy's names are written in English
    # messages; English terms in a Chinese sentence ("我们做 payroll outsourcing，想 apply") are how
    # Chinese writers name things. The sentence's frame decides: two of its grammar words, and more
    # English words than Chinese pieces.
    # (or one, opening the message: "Is 产业园 rent subsidy 90%?" is asked in English)
    frame = ENGLISH_FRAME_WORDS.intersection(words)
    opens = re.match(r"[a-z]+", fold(s))
    english_frame = len(frame) >= 2 or bool(opens and opens.group(0) in ENGLISH_FRAME_WORDS)
    return "en" if english_frame and len(words) > len(chinese_runs) else "zh"


CORRECTION_RE = re.compile(r"不对|错了|说错|搞错|弄错|写错|填错|输错|应该是|应为|改成|改为|改一下|更正|纠正|其实|实际上|"
                           r"\b(actually|should be|correction|wrong|mistake|instead)\b", re.I)


def is_correction(text: object) -> bool:
    """Whether the words say an earlier answer was wrong ("不对，房租应该是一百二十万")."""
    return bool(CORRECTION_RE.search(fold(clean(text))))


def fold(text: str) -> str:
    """Full-width digits and letters to ASCII, lower case; Chinese characters unchanged."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in "，。：；（）！？￥":
            ch = chr(code - 0xFEE0)
        out.append(ch)
    return "".join(out).lower()


def bare(text: object) -> str:
    """For short answers: folded, without punctuation, spaces and sentence particles."""
    s = fold(clean(text))
    s = re.sub(r"[\s,.!?;:，。！？；：、~～…'\"“”‘’()（）\[\]【】<>《》-]+", "", s)
    s = re.sub(r"^(嗯+|呃|额|哦|噢)(?=.)", "", s)
    s = re.sub(r"(?<=.)(的|啊|呀|吧|呢|哦|哈|啦|了)+$", "", s)
    return s


# "不确定", "not sure", "maybe": no answer either way ("not sure" is no "no").
UNSURE_RE = re.compile(r"不确定|不知道|不清楚|说不准|不好说|不太清楚|不记得|记不清|可能|也许|或许|好像|大概吧|"
                       r"\b(?:not sure|unsure|don'?t know|do not know|no idea|maybe|perhaps|probably|possibly|"
                       r"not certain|i think|i guess|i believe|can'?t remember|not yet sure)\b", re.I)


def is_unsure(text: object) -> bool:
    """Does the answer say the writer does not know ("不确定", "not sure", "maybe")?"""
    return bool(UNSURE_RE.search(fold(clean(text))))


def parse_yes_no(text: object) -> bool | None:
    """是/有/对/y/yes → True; 否/不/不是/没有/n/no → False; anything else, or unsure, None."""
    s = bare(text)
    if not s or is_unsure(text):
        return None
    if s in YES_WORDS:
        return True
    if s in NO_WORDS:
        return False
    if s.startswith(("不是", "没有", "不符合", "还没")) and len(s) <= 6:
        return False
    if s.startswith(("是的", "有的", "对的", "符合")) and len(s) <= 6:
        return True
    # "是的，我们在园区注册了" / "不是，我们是分公司": the first clause decides
    head = re.split(r"[，,。.!！;；:：\s]", fold(clean(text)), maxsplit=1)
    if len(head) == 2 and head[1].strip() and head[0].strip():
        first = bare(head[0])
        if first in YES_WORDS:
            return True
        if first in NO_WORDS:
            return False
    return None


def parse_choice(text: object, choices: list[dict]) -> str | None:
    """A choice by its number (1-based), its value, its label (zh or en) or one of its aliases."""
    s = bare(text)
    if not s:
        return None
    n = parse_integer(s)
    if n is not None and re.fullmatch(r"\d{1,2}|[一二三四五六七八九十]", s) and 1 <= n <= len(choices):
        return choices[n - 1]["value"]
    for c in choices:
        names = [c["value"], c.get("label", ""), c.get("label_en", ""), c.get("button_en", "")] + list(c.get("aliases", []))
        if any(name and bare(name) == s for name in names):
            return c["value"]
    hits = []
    for c in choices:
        names = [c.get("label", ""), c.get("label_en", "")] + list(c.get("aliases", []))
        if any(len(bare(name)) >= 2 and bare(name) in s for name in names):
            hits.append(c["value"])
    return hits[0] if len(set(hits)) == 1 else None


def _cn_small(s: str) -> Decimal | None:
    """A number below 10,000: arabic with decimals ("1.2", "3千") or Chinese ("一百二十", "两千五")."""
    if not s:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return Decimal(s)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千拾佰仟])", s)
    if m:
        return Decimal(m.group(1)) * CN_SMALL_UNITS[m.group(2)]
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = _cn_small(whole) if whole else Decimal(0)
        if w is None or not frac or any(ch not in CN_DIGITS for ch in frac):
            return None
        return w + Decimal("0." + "".join(str(CN_DIGITS[ch]) for ch in frac))
    if any(ch not in CN_DIGITS and ch not in CN_SMALL_UNITS for ch in s):
        return None
    total, digit, last_unit, zero_seen = 0, None, 10_000, False
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None and CN_DIGITS[ch] != 0 and digit != 0:
                return None  # "二三": not a number
            zero_seen = zero_seen or CN_DIGITS[ch] == 0
            digit = CN_DIGITS[ch]
        else:
            unit = CN_SMALL_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:
        # colloquial "两千五" = 2500: a trailing digit counts in the unit below the last one
        total += digit * (last_unit // 10 if 100 <= last_unit < 10_000 and not zero_seen else 1)
    return Decimal(total)


def _section(s: str, big: str, scale: int, lower) -> Decimal | None:
    """Split on the big unit (亿 or 万): head × scale + the rest, the rest read by ``lower``."""
    if big not in s:
        return lower(s)
    head, _, rest = s.partition(big)
    h = _cn_small(head) if head else Decimal(1)
    if h is None:
        # "1亿": head may itself be big ("一万亿" is not a case here)
        return None
    if not rest:
        return h * scale
    if re.fullmatch(r"\d|[一二两三四五六七八九]", rest):
        # colloquial "一亿五" = 1.5亿, "八万五" = 8.5万
        return h * scale + Decimal(CN_DIGITS.get(rest, rest if rest.isdigit() else 0)) * scale / 10
    r = lower(rest.lstrip("零〇0") or "0")
    return None if r is None else h * scale + r


def _value(s: str) -> Decimal | None:
    return _section(s, "亿", 100_000_000, lambda rest: _section(rest, "万", 10_000, _cn_small))


# English units after a figure ("1.5 million", "450 mil", "3k"), and the pattern made of them.
_UNIT_MULTIPLIERS = {"million": 10**6, "millions": 10**6, "mil": 10**6, "mn": 10**6, "m": 10**6,
                     "billion": 10**9, "billions": 10**9, "bil": 10**9, "bn": 10**9, "b": 10**9,
                     "thousand": 1000, "k": 1000}
_AMOUNT_WITH_UNIT = re.compile(r"(.+?)(" + "|".join(_UNIT_MULTIPLIERS) + ")")


def parse_money(text: object, allow_none_words: bool = True) -> int | None:
    """An amount in yuan: 1.2亿, 1亿2000万, 5000万, 八十万, 80万元, 80w, 800,000, ￥800000, 1.5 million,
    3k; "没有"/"无"/0 → 0 when ``allow_none_words``. Negative or unreadable → None."""
    raw = fold(clean(text))
    if not raw or len(raw) > 60:
        return None
    if allow_none_words and bare(raw) in NONE_AMOUNT_WORDS:
        return 0
    if re.search(r"\d\s+\d", raw):
        return None  # "100 200": several numbers, not one amount
    s = raw.replace("¥", "").replace("￥", "").replace("$", "")
    s = re.sub(r"(?<=\d),(?=\d{3}\b)|(?<=\d),(?=\d{3}(?:\D|$))", "", s)
    s = re.sub(r"[\s,.!?;:，。！？；：~～]+$", "", s)
    s = FILLER_RE.sub("", s)
    s = re.sub(r"\s+", "", s)
    if not s or s.startswith("-"):
        return None
    multiplier = Decimal(1)
    m = _AMOUNT_WITH_UNIT.fullmatch(s)
    if m:
        s = m.group(1)
        multiplier = Decimal(_UNIT_MULTIPLIERS[m.group(2)])
    s = s.replace("w", "万").replace("个亿", "亿")   # "两个亿", "1.2个亿"
    if s == "半亿":
        return 50_000_000
    if not re.search(r"[0-9零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]", s):
        return None
    if any(ch not in CN_NUMERAL_CHARS and ch not in "0123456789.万亿" for ch in s):
        return None
    if s.count(".") > 1:
        return None
    try:
        v = _value(s)
    except (InvalidOperation, ValueError, KeyError):
        return None
    if v is None or v < 0:
        return None
    v *= multiplier
    if v > Decimal(10) ** 13:
        return None  # beyond any amount this policy could concern; a slip of the keyboard
    return int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP))


EN_ORDINALS = {"first": 1, "one": 1, "second": 2, "two": 2, "third": 3, "three": 3, "fourth": 4,
               "four": 4, "fifth": 5, "five": 5, "sixth": 6, "six": 6}


def parse_integer(text: object) -> int | None:
    """A whole number ≥ 0: 3, 第二年, 两年, 三, 第3年, "year 2", "second"."""
    if re.search(r"-\s*\d|\d\s*[.,]\s*\d", fold(clean(text))):
        return None  # negative or fractional: not a whole number (punctuation is dropped below)
    s = bare(text)
    if not s or len(s) > 20:
        return None
    if s in ("头一年", "首年", "头年", "第一年"):
        return 1
    s = re.sub(r"^(?:今年|现在|目前|已经|这是|入园|入驻)*(?:是|算)?", "", s)   # "今年是第二年"
    s = re.sub(r"^(第|year|the|our|in)+", "", s)
    if s in EN_ORDINALS:
        return EN_ORDINALS[s]
    for _ in range(2):  # "3rd year": the word, then the ordinal's letters
        s = re.sub(r"(个年头|个年度|年度|年了|年|个|次|届|名|位|人|家|years?|st|nd|rd|th)$", "", s)
        if s in EN_ORDINALS:
            return EN_ORDINALS[s]
    s = re.sub(r"^(第|year)", "", s)
    if s in EN_ORDINALS:
        return EN_ORDINALS[s]
    if re.fullmatch(r"\d{1,6}", s):
        return int(s)
    if s and all(ch in CN_DIGITS or ch in CN_SMALL_UNITS for ch in s):
        v = _cn_small(s)
        return int(v) if v is not None and v == int(v) else None
    return None


def parse_money_list(text: object, allow_none_words: bool = True) -> list[int] | None:
    """Amounts separated by 、 , ； 和 及 and spaces: "50万和30万", "50万、30万"; 没有 → []."""
    raw = clean(text)
    if not raw:
        return None
    if bare(raw) in NONE_AMOUNT_WORDS:
        return [] if allow_none_words else None
    parts = [p for p in re.split(r"[、,，;；/]|和|及|与|以及|\band\b|\s+", fold(raw)) if p.strip()]
    if parts and len(parts) <= 30:
        amounts = [parse_money(p, allow_none_words=False) for p in parts]
        if all(a is not None for a in amounts):
            return amounts
    found = find_amounts(raw)
    return [a for _, a in found] or None


# ---- facts in free text ------------------------------------------------------------------------

AMOUNT_RE = re.compile(
    r"[¥]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:百万|千万|个?亿|万|千|元|块|(?:w|k|millions?|mil|mn|billions?|bil|bn)(?![a-z])|m(?![a-z0-9²³]))?"
    r"(?:\s*(?:\d+|[零〇一二两三四五六七八九十百千点]+)\s*(?:万|千|元|块)?)?"
    r"|[零〇一二两三四五六七八九十百千点半]+\s*(?:个?亿|万)(?:[零〇一二两三四五六七八九十百千点]+(?:万)?)?\s*(?:元|块)?",
    re.IGNORECASE,
)
MONEY_MARK_RE = re.compile(r"[亿万千wk元块¥]|million|mil|mn|billion|bil|bn|\dm$", re.IGNORECASE)  # ("1.2m")


# A rate is no total: "每平米每月60元", "月租3万", "60元/平/月", "60 yuan per sqm per month", "RMB
# 30,000 a month". Every amount the rules take is a year's total or a one-off sum, so a rate put into
# one would be a guess (how many months, how many square metres were paid for?).
_RATE_BEFORE = re.compile(r"(?:每\s*(?:平方?米?|平|㎡|个?月|天|日|周)|月租|日租|月均|\bmonthly\b|"
                          r"\bper\s+(?:month|sqm|m2|square\s+met(?:re|er))\b)[^，。,;；]{0,10}$", re.I)
_RATE_AFTER = re.compile(r"^\s*(?:元|块|yuan|rmb)?\s*(?:/|每|一个?|\bper\s|\ba\s|\ban\s)\s*"
                         r"(?:平方?米?|平|㎡|m2|sqm|个?月|天|日|周|month|day|week|square|sq\b)", re.I)


def _is_rate(s: str, start: int, end: int) -> bool:
    return bool(_RATE_BEFORE.search(s[max(0, start - 16):start]) or _RATE_AFTER.match(s[end:end + 12]))


# Words of a rate, with or without an amount that find_amounts reads ("60 yuan per sqm per month").
_RATE_WORDS = re.compile(r"每\s*(?:平方?米?|平|㎡)|/\s*(?:平|㎡|m2|sqm)|月租|每\s*个?月|"
                         r"\bper\s+(?:sqm|m2|square|sq|month)\b|\ba\s+month\b|\bmonthly\b", re.I)


def mentions_rate(text: object) -> bool:
    """Does the text give a rent or a cost per area or per month?"""
    return bool(_RATE_WORDS.search(fold(clean(text))))


def find_amounts(text: str) -> list[tuple[int, int]]:
    """(position, yuan) of each money amount in free text; an amount needs a unit, a currency sign
    or four digits, so "第一年" and "500强" are not money; a rate ("每月3万", "60元/平") is not one."""
    s = fold(clean(text)).replace("￥", "¥")
    out = []
    for m in AMOUNT_RE.finditer(s):
        token = m.group(0).strip()
        end = m.end()
        if end < len(s) and s[end] in "强年%个名家次届位人":
            continue
        if _is_rate(s, m.start(), end):
            continue
        if not MONEY_MARK_RE.search(token) and not re.search(r"\d{4,}|\d,\d{3}", token):
            continue
        value = parse_money(token, allow_none_words=False)
        if value is not None:
            out.append((m.start(), value))
        elif re.search(r"\s", token):  # "60万 80万": two amounts side by side, not one
            for part in re.finditer(r"\S+", token):
                value = parse_money(part.group(0), allow_none_words=False)
                if value is not None and MONEY_MARK_RE.search(part.group(0)):
                    out.append((m.start() + part.start(), value))
    return out


CLAUSE_SPLIT_RE = re.compile(r"[，。；;！!？?\n]|,(?!\d{3})|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
ORDINAL_YEAR_RE = re.compile(r"第\s*([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?年|头一年|首年"
                             # English: "in year 2", "our 2nd year", "the second(-)year" (not "year 2025")
                             r"|\byear\s+[1-9]\b|\b[1-9](?:st|nd|rd|th)[\s-]+year\b|\b(?:first|second|third|fourth|fifth)[\s-]+year\b")
PREV_YEAR_RE = re.compile(r"去年|上一年|上年|前一年|上一个年度|上个年度|last year|previous year", re.I)
NEGATION_RE = re.compile(r"(不是|没有|没|未|不|非|无)")


def _negated(clause: str, word: str) -> bool:
    i = clause.find(word)
    return i >= 0 and bool(NEGATION_RE.search(clause[max(0, i - 4):i]))


TOPIC_OF_KEY = {"revenue": "revenue", "revenue_prev": "revenue", "contribution": "contribution",
                "contribution_prev": "contribution", "rent_paid": "rent",
                "tenants_revenue": "tenants_revenue", "facility_fees": "facility_fees", "events": "events",
                "ipo_city_subsidy": "ipo", "competition_city_award": "competition"}


# The writer speaks of their own institution: "我们第二年…" is a fact about them, while
# "房租补贴第二年按多少比例补" asks about the rule and tells us nothing about the asker.
SELF_RE = re.compile(r"我们|我司|我方|咱们|咱|本公司|本机构|本单位|我(?!国)|\b(we|our|ours|us|i|my)\b", re.I)


def speaks_of_self(text: object) -> bool:
    """Does the text speak of the writer's own institution or situation?"""
    return bool(SELF_RE.search(fold(clean(text))))


# Where an institution comes from (article 18): from outside the district, or newly registered,
# counts the full year; an institution already in Xiqing moving into the park, only the increase.
# "搬到园区" / "moved into the park" alone does not say which: it is asked, never guessed.
ORIGIN_NEW_EN = re.compile(r"from outside|outside (?:of )?xiqing|newly[ -](?:registered|set up|established|founded|"
                           r"incorporated)|brought in from|from (?:another|a different) (?:city|province)")
ORIGIN_RELOCATED_EN = re.compile(
    r"(?:elsewhere|somewhere else|another (?:part|town|street)|other parts?) (?:in|of|within) xiqing|"
    r"from within (?:xiqing|the district)|\b(?:were|was) (?:already )?(?:based |registered |located )?in xiqing\b"
    r"(?!'s| hr| park| industrial)|relocated within (?:xiqing|the district)")
ORIGIN_NEW_ZH = re.compile(r"区外|新引进|外地|外省|省外|外市|外区|新注册|新成立|新设立|新落户|刚注册")
ORIGIN_RELOCATED_ZH = re.compile(r"区内(已有|原有|的)?.{0,6}(迁|搬)|从区内|本区(其他|别的|其它)")

# Xiqing's towns and streets, as Chinese and English name them: moving from one is moving within
# the district. Other places are the lexicon's other_places (Chinese, or by the pinyin of their
# Chinese name: "从大连搬来" is from "dalian"), and the plain words for "outside".
XIQING_PLACES = ("西青", "本区", "区内", "杨柳青", "中北", "精武", "张家窝", "辛口", "王稳庄", "大寺", "西营门",
                 "李七庄", "赤龙南", "津门湖")
XIQING_PLACES_EN = ("xiqing", "yangliuqing", "zhongbei", "jingwu", "zhangjiawo", "xinkou", "wangwenzhuang", "dasi",
                    "xiyingmen", "liqizhuang", "chilongnan", "jinmenhu", "within the district")
OUTSIDE_WORDS = ("区外", "外地", "外省", "省外", "外市", "市外", "外区", "其他区", "别的区", "其他城市", "别的城市",
                 "外埠", "国外", "境外", "海外", "another city", "another province", "another district",
                 "a different city", "abroad", "overseas", "outside")

MOVED_FROM_ZH = re.compile(r"从(.{1,12}?)(?:整体|全部)?(?:搬|迁)")
MOVED_FROM_EN = re.compile(r"\b(mov\w*|relocat\w*|came|come|coming)\b[^.;,]{0,30}?\bfrom ([a-z' -]{3,30})")


def _place_of(span: str) -> str | None:
    """"xiqing", "outside" or None (not known) for the place a move comes from."""
    from knowledge.segment import load_lexicon

    places = load_lexicon().other_places
    if span.isascii():
        words = " " + re.sub(r"[^a-z']+", " ", span) + " "
        known = lambda names: any(f" {name} " in words for name in names)  # noqa: E731 (whole words)
        if known(XIQING_PLACES_EN):
            return "xiqing"
        return "outside" if known(places) or known(w for w in OUTSIDE_WORDS if w.isascii()) else None
    if any(place in span for place in XIQING_PLACES):
        return "xiqing"
    if any(word in span for word in (*OUTSIDE_WORDS, *places) if not word.isascii()):
        return "outside"
    from pypinyin import lazy_pinyin

    sounds = lazy_pinyin(span)
    english = {re.sub(r"[^a-z]", "", p) for p in places if p.isascii()}
    runs = {"".join(sounds[i:j]) for i in range(len(sounds)) for j in range(i + 2, len(sounds) + 1)}
    return "outside" if runs & english else None


def moved_from(text: object) -> str | None:
    """Where the text moves the firm from: "xiqing", "outside", "unknown" (a place the words do not
    place: "从老厂区迁来", "moved from Jiangning") or None when it names no place it moves from."""
    s = fold(clean(text))
    found = []
    for m in MOVED_FROM_ZH.finditer(s):
        found.append((_place_of(m.group(1)), True))
    for m in MOVED_FROM_EN.finditer(s):
        found.append((_place_of(m.group(2)), m.group(1).startswith(("mov", "relocat"))))
    placed = {place for place, _ in found if place}
    if len(placed) == 1:
        return placed.pop()
    if placed or any(moving for _, moving in found):
        return "unknown"  # both, or a move from a place not known
    return None


def origin_of(text: object) -> str | None:
    """article 18's origin ("new" / "relocated") as the text states it, or None when it does not."""
    s = fold(clean(text))
    place = moved_from(s)
    if place in ("outside", "xiqing"):
        return "new" if place == "outside" else "relocated"
    if ORIGIN_NEW_ZH.search(s) or ORIGIN_NEW_EN.search(s):
        return "new"
    if ORIGIN_RELOCATED_ZH.search(s) or ORIGIN_RELOCATED_EN.search(s):
        return "relocated"
    return None


def extract_facts(text: object, context: str | None = None) -> dict:
    """Profile keys (RULES.md vocabulary) named in free text, e.g.
    "我们是区外新引进的，今年营收2亿，房租第一年交了60万" →
    {"origin": "new", "revenue": 200000000, "park_year": 1, "rent_paid": 600000}.
    ``context``, the profile key of the question pending, gives amounts without a topic word their
    topic ("3.2亿，去年1.5亿" while revenue is asked)."""
    raw = clean(text)
    if not raw:
        return {}
    s = fold(raw)
    facts: dict = {}

    # who
    if re.search(r"运营方|运营单位|运营机构|运营商|运营公司|园区运营|operator", s):
        facts["role"] = "operator"
    elif re.search(r"建设方|建园主体|建设单位|建园单位|builder", s):
        facts["role"] = "builder"
    elif re.search(r"我们是.{0,10}(人力资源|劳务派遣|猎头|外包)|人力资源服务机构|入驻机构|人力资源公司", s) \
            and not re.search(r"入驻机构.{0,6}(营收|营业收入|收入)", s):
        facts["role"] = "institution"

    # origin (article 18)
    origin = origin_of(s)
    if origin:
        facts["origin"] = origin

    # article 16
    if ("分公司" in s or re.search(r"(不是|没有|非|无)独立法人", s)
            or re.search(r"\b(?:we are|we're|it is|it's|as) an? (?:\w+ )?branch\b|\bbranch office\b|"
                         r"\bnot an? (?:independent |separate )?legal (?:person|entity)\b|\bno (?:independent |separate )?legal "
                         r"(?:person|entity)\b", s)):
        facts["legal_person"] = False
    elif "独立法人" in s or re.search(r"\b(?:independent|separate) legal (?:person|entity)\b", s):
        facts["legal_person"] = True
    if re.search(r"(不是|没有|不|未|非)(实行)?独立核算", s):
        facts["independent_accounting"] = False
    elif "独立核算" in s:
        facts["independent_accounting"] = True
    if re.search(r"(没有|无|不)(健全的?)?财务制度|财务制度不健全", s):
        facts["sound_finance"] = False
    elif re.search(r"财务制度(健全|完善)|(有|具备)(健全|完善)的?财务制度", s):
        facts["sound_finance"] = True
    if re.search(r"(没有|未|没|不)(在)?(园区|产业园)(里)?(登记)?注册|不注册|只设(个)?办事处|注册地(址)?不在(园区|产业园)|"
                 r"\b(?:not|isn't|aren't|never) registered (?:in|at) the park\b", s):
        facts["registered_in_park"] = False
    elif re.search(r"(在|已在)(园区|产业园)(内)?(登记)?注册|注册在(园区|产业园)|已经?入驻", s):
        facts["registered_in_park"] = True

    # rankings (article 4)
    for pattern, value in ((r"中国服务业\s*(500|五百)强", "china_service500"),
                           (r"(世界|全球|财富)\s*(500|五百)强|fortune\s*500|global\s*500", "global500"),
                           (r"中国\s*(500|五百)强", "china500")):
        m = re.search(pattern, s)
        if m and not _negated(s, m.group(0)):
            facts["ranking"] = value
            break

    # park recognition (articles 1, 2)
    for clause in CLAUSE_SPLIT_RE.split(s):
        if re.search(r"大赛|比赛|竞赛|奖", clause):
            continue
        if re.search(r"国家级", clause) and re.search(r"园|认定", clause):
            facts["park_level"] = "national"
            if re.search(r"市级", clause):
                facts["upgraded_from_city"] = True
        elif re.search(r"市级", clause) and re.search(r"园|认定", clause):
            facts["park_level"] = "city"

    if re.search(r"(没有|没|未|从没|从未|不曾)(有)?(举办|办|搞|开展|组织)(过)?(任何)?.{0,2}活动|"
                 r"(no|not hold any|did not hold any|didn't hold any|never held any) events?|held no events?", s):
        facts["events"] = []

    _amount_facts(s, facts, TOPIC_OF_KEY.get(context or ""), last_year=context in ("revenue_prev", "contribution_prev"))

    if re.search(r"(评为|评上|入选|获评|选为).{0,8}品牌", s):
        facts["brand_selected"] = True
    if re.search(r"(入驻|入园|注册|落地)(之)?前.{0,10}(获奖|得奖|大赛|比赛)|(获奖|得奖|大赛).{0,10}(入驻|入园|注册)(之)?前", s):
        facts["competition_before_joining"] = True
    elif re.search(r"(入驻|入园|注册)(之)?后.{0,10}(获奖|得奖|大赛|比赛)", s):
        facts["competition_before_joining"] = False
    return facts


def _year_number(words: str) -> int | None:
    """The number of an ORDINAL_YEAR_RE match: 第二年 → 2, "year 2" / "2nd year" / "second year" → 2."""
    if words.isascii():
        digit = re.search(r"[1-9]", words)
        return int(digit.group()) if digit else EN_ORDINALS.get(re.split(r"[\s-]+", words)[0])
    return parse_integer(words)


def _amount_facts(s: str, facts: dict, carry: str | None = None, last_year: bool = False) -> None:
    """Amounts assigned by the words of the clause they stand in."""
    clauses = [c for c in CLAUSE_SPLIT_RE.split(s) if c and c.strip()]  # "房租第一年交了60万，第二年100万": the topic carries to the next clause
    for clause in clauses:
        amounts = [a for _, a in find_amounts(clause)]
        year = ORDINAL_YEAR_RE.search(clause)
        own_topic = _topic(clause)
        if own_topic is None and OTHER_MONEY_RE.search(clause):
            amounts = []  # "房租交了100万，物业费20万": the fee is no rent, though the rent came first
        topic = own_topic or (carry if amounts or year else None)
        carry = topic or carry
        if amounts and topic and NOT_THE_FIGURE_RE.search(clause) and not (len(amounts) >= 2 and FROM_TO_RE.search(clause)):
            continue  # "营收不到1亿", "增加了1亿", "nearly 200 million": a bound or a change, not the figure
        if own_topic is None and re.search(r"补|奖|拿|资助", clause):
            amounts = []  # "…，能补76.5万吗": a figure about the payout, not a fact about the applicant
        if year:
            n = 1 if year.group(0) in ("头一年", "首年") else _year_number(year.group(0))
            if n and re.search(r"运营|开园|operat|opened", clause):
                facts["operating_years"] = n
            elif n and (topic in ("rent", None) or re.search(r"入园|入驻|园区|in the park|moved in", clause)):
                if not (RULE_QUESTION_RE.search(clause) and not amounts and not OWN_YEAR_RE.search(clause)):
                    facts["park_year"] = n
                # else "…，房租补贴第二年是多少": a question about the rule's year, not the asker's
        if not amounts or topic is None:
            continue
        if topic == "managers" and TOTAL_RE.search(clause):
            continue  # "高管贡献合计80万": the managers' total, not one manager's (article 6 counts each)
        if topic == "facility_fees" and _EVENT_WORDS.search(clause):
            continue  # "招聘会场地费5万": the event's cost (article 13) or the park's rooms (14)? Asked
        if topic == "contribution" and MANAGER_RE.search(s) and not FIRM_RE.search(clause):
            continue  # "三个经理，贡献100万": theirs or the firm's? Not guessed; the interview asks
        if topic in ("revenue", "contribution", "rent") and OTHER_PARTY_RE.search(clause):
            continue  # "客户营收有10亿", "our parent company's revenue": another's figure, not the asker's
        # an amount given at last year's question is last year's, unless the words say otherwise
        prev = bool(PREV_YEAR_RE.search(clause)) or (last_year and own_topic is None and not CUR_YEAR_RE.search(clause))
        if topic in ("revenue", "contribution"):
            m = FROM_TO_RE.search(clause)
            years = _by_year(clause) if len(amounts) >= 2 else None
            if m and len(amounts) >= 2:
                facts[f"{topic}_prev"], facts[topic] = amounts[0], amounts[1]
            elif years:
                facts[f"{topic}_prev"], facts[topic] = years["prev"], years["cur"]
            elif len(set(amounts)) > 1:
                continue  # several figures, none named: not one of them guessed
            else:
                facts[f"{topic}_prev" if prev else topic] = amounts[-1]
        elif topic == "managers":
            count = _manager_count(s)
            if len(amounts) == 1 and count and re.search(r"各|每人|每个人|每位|都是|\beach\b", clause):
                amounts = amounts * min(count, 10)
            facts["manager_contributions"] = amounts
        elif topic != "events" and len(set(amounts)) > 1:
            continue  # "房租60万 80万": which one? Asked, not guessed
        elif topic == "tenants_revenue":
            facts["tenants_revenue"] = amounts[-1]
        elif topic == "rent":
            facts["rent_paid"] = amounts[-1]
        elif topic == "events":
            facts["events"] = amounts
        elif topic == "facility_fees":
            facts["facility_fees"] = amounts[-1]
        elif topic == "ipo":
            facts["ipo_city_subsidy"] = amounts[-1]
        elif topic == "competition":
            facts["competition_city_award"] = amounts[-1]


# Money that is none of the profile's figures: an amount beside it is not carried to the topic before
# ("房租100万，物业费20万").
OTHER_MONEY_RE = re.compile(r"物业费|物业|押金|保证金|水电|电费|水费|装修|工资|薪资|薪酬|社保|公积金|注册资本|投资|融资|贷款|"
                            r"利润|净利|毛利|成本|\b(?:deposit|property (?:management )?fees?|utilit\w*|salar\w*|wages?|"
                            r"capital|invest\w*|loans?|profits?|fit-?out)\b", re.I)
# An amount that bounds the figure or gives its change, not the figure: the awards step at whole
# amounts (每满1亿), so "不到1亿" taken as 1亿 would quote an award the asker does not get.
NOT_THE_FIGURE_RE = re.compile(r"不到|不足|没到|没有到|未达到|没达到|接近|将近|差一点|快到|低于|少于|以下|以内|"
                               r"(?:增加|增长|提高|减少|下降)了?(?![到至])|多了|涨了|少了|降了|"
                               r"\b(?:less than|under|below|nearly|almost|close to|up to|short of|increase[ds]? (?:of|by)|"
                               r"grew by|up by|down by|more than last year|fell by|rose by)\b", re.I)

TOTAL_RE = re.compile(r"合计|总共|一共|加起来|共计|总计|\b(?:in total|combined|altogether|total)\b", re.I)
_EVENT_WORDS = re.compile(r"活动|峰会|论坛|招聘会|宣传推广|\bevents?\b")
FROM_TO_RE = re.compile(r"从.{0,12}?(涨|增|升|提高|增长|到)|\bfrom\b.{0,24}?\bto\b")  # "营收从1.9亿涨到2.1亿"

# What an amount in a clause is about, by the words around it; the first pattern that fits wins,
# so the more specific topics come first (入驻机构营收总额 before plain 营收).
_TOPICS = [
    (re.compile(r"(入驻|园区|园内)(的)?(机构|企业).{0,8}(营收|营业收入|收入)|营收总额|营业收入总额|"
                r"\btenants?\b.{0,40}\b(?:revenue|turnover)|\b(?:revenue|turnover) of (?:the |our |all )?(?:tenants|institutions)"),
     "tenants_revenue"),
    (re.compile(r"房租|租金|\brent(?:s|al|ed|ing)?\b"), "rent"),   # (not "parent", "current")
    (re.compile(r"会议室|培训室|招聘大厅|公共配套|场地费"), "facility_fees"),
    (re.compile(r"活动|峰会|论坛|招聘会|宣传推广|\bevents?\b"), "events"),
    (re.compile(r"上市"), "ipo"),
    (re.compile(r"大赛|比赛|竞赛"), "competition"),
    (re.compile(r"经理|管理人员|管理层|高管|老总|总监|副总|个税|个人所得税|每人|每个人|每位|\bmanagers?\b|\bexecutives?\b"),
     "managers"),
    (re.compile(r"经济贡献|综合贡献|贡献|contribution|contributed"), "contribution"),
    (re.compile(r"营收|营业收入|营业额|流水|收入|revenue|turnover"), "revenue"),
]


# Others whose figures a message may give beside the asker's own: a client, the parent company, the
# group or head office (the institution in the park is the applicant, article 16).
OTHER_PARTY_RE = re.compile(r"客户|母公司|集团|总部|总公司|合作方|甲方|用工单位|"
                            r"\b(?:parent|client|clients|customer|customers|group|headquarters|hq|head office)\b", re.I)


# "如果营收3亿能拿多少", "What if our revenue were 300 million?": a figure to work with, not a fact
# about the asker.
HYPOTHETICAL_RE = re.compile(r"如果|假如|假设|要是|万一|若是|倘若|比如|比方说|举个例子|"
                             r"\b(?:if|suppose|supposing|assuming|assume|hypothetically|say we|let's say|lets say|"
                             r"for example|for instance|e\.g\.)\b", re.I)


def is_hypothetical(text: object) -> bool:
    """Does the text put its figures as a supposition ("如果", "what if", "suppose")?"""
    return bool(HYPOTHETICAL_RE.search(fold(clean(text))))


def bounds_a_figure(text: object) -> bool:
    """Does the text give a bound or a change ("不到1亿", "接近2亿", "增加了1亿", "nearly 200 million")
    rather than the figure?"""
    s = fold(clean(text))
    return bool(NOT_THE_FIGURE_RE.search(s)) and not (len(find_amounts(s)) >= 2 and FROM_TO_RE.search(s))


def names_other_party(text: object) -> bool:
    """Does the text give the figure of a client, the parent company, the group or head office?"""
    return bool(OTHER_PARTY_RE.search(fold(clean(text))))


# People whose own contribution counts under Article 6, and words that name the firm itself.
MANAGER_RE = re.compile(r"经理|管理人员|管理层|高管|老总|总监|副总|个税|个人所得税|\bmanagers?\b|\bexecutives?\b")
FIRM_RE = re.compile(r"机构|公司|企业|单位|我们|综合|\b(firm|company|we|our)\b")
CUR_YEAR_RE = re.compile(r"今年|本年|当年|this year", re.I)
# A clause asking what a year brings ("房租补贴第二年是多少", "what's the rate in year 2") names the
# rule's year; one with the asker in it, a figure, or being in the park names theirs ("我们入园第二年了").
RULE_QUESTION_RE = re.compile(r"多少|几成|几折|百分之几|比例|怎么算|怎么补|补几|是不是|吗|么|\?|how much|what|which|rate|percent",
                              re.I)
OWN_YEAR_RE = re.compile(r"我们|我司|咱们|我(?!国)|今年|目前|现在|已经|入园|入驻|进园|\b(?:we|our|us|i|my|this)\b", re.I)
COUNT_RE = re.compile(r"(\d{1,2}|[一二两三四五六七八九十])\s*(?:个|位|名)?\s*(?:人|经理|高管|管理人员|副总|总监|managers?)|"
                      r"(?:经理|高管|管理人员)\s*(\d{1,2}|[一二两三四五六七八九十])\s*(?:个|位|名)")


def _manager_count(s: str) -> int | None:
    m = COUNT_RE.search(s)
    return parse_integer(m.group(1) or m.group(2)) if m else None


def _by_year(clause: str) -> dict | None:
    """"去年8000万今年1.2亿": each amount with the year word before it, when each has its own."""
    text = clause.strip()
    marks = sorted([(m.end(), "prev") for m in PREV_YEAR_RE.finditer(text)]
                   + [(m.end(), "cur") for m in CUR_YEAR_RE.finditer(text)])
    out: dict = {}
    for pos, amount in find_amounts(text):
        before = [kind for end, kind in marks if end <= pos]
        if not before or before[-1] in out:
            return None
        out[before[-1]] = amount
    return out if len(out) == 2 else None


def _topic(clause: str) -> str | None:
    return next((topic for pattern, topic in _TOPICS if pattern.search(clause)), None)
