"""Query normalisation: the first step of matching.

Full-width → half-width (NFKC), Traditional → Simplified (OpenCC), lower case, emoji and
punctuation out, money and percentages turned into placeholder tokens so that "营收1.3亿" and
"营收2亿" look alike to the matcher.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain
from pathlib import Path

# Longer input is cut: nobody asks a 10,000-character question, and matching stays fast.
MAX_QUERY_CHARS = 300

_CN_NUM = "零〇一二两三四五六七八九十百千"
# An amount with a unit: 1.3亿, 1亿2000万, 八十万, 80w, 800,000元, ¥800000
# (Each pattern below that has no fixed first character begins with a lookahead for the characters
# its matches can begin with: the regex engine then leaves every other position after one test,
# rather than trying each alternative there; the matches are the same.)
_AMOUNT = re.compile(
    rf"(?=[¥￥\d{_CN_NUM}])(?:[¥￥]\s*)?(?:\d[\d,]*(?:\.\d+)?|[{_CN_NUM}]+)\s*(?:(亿|千万|百万|万|w(?![a-z])|k(?![a-z]))\s*)"
    rf"(?:[\d{_CN_NUM}]+\s*(?:千万|百万|万|千))?\s*(?:元|块钱|块|rmb)?"
)
# What every match of _AMOUNT begins with (its currency sign or its number): it cannot match
# before the first of these, and has no look-behind, so the text before it need not be searched.
_AMOUNT_START = re.compile(rf"[¥￥\d{_CN_NUM}]")
# (Its first character matched first, then the alternatives by what it was: the pattern begins
# with a character class, which the regex engine looks for in one pass; the same matches as
# "[¥￥]\s*\d[\d,]*(?:\.\d+)?|\d[\d,]{3,}(?:\.\d+)?\s*(?:元|块钱|块|rmb)|\d+(?:\.\d+)?\s*(?:元|块钱|块)".)
_PLAIN_MONEY = re.compile(r"[¥￥\d](?:(?<=[¥￥])\s*\d[\d,]*(?:\.\d+)?|(?<=\d)[\d,]{3,}(?:\.\d+)?\s*(?:元|块钱|块|rmb)"
                          r"|(?<=\d)\d*(?:\.\d+)?\s*(?:元|块钱|块))")
# English amounts, as placeholders of the size a Chinese writer would give: "150 million" is
# 1.5亿 (#亿), "1.2 million" and "800 thousand" are 万 (#万), "RMB 600,000" and "600,000 yuan" are 元.
# (The unit words once: the pattern and _english_amount_token read the same tuples.)
_EN_BILLIONS = ("billion", "billions", "bil", "bn", "yi")
_EN_MILLIONS = ("million", "millions", "mil", "mln", "mn")
_ENGLISH_AMOUNT = re.compile(
    r"(?=[rc\d])(?:(?:rmb|cny)\s*)?(\d[\d,]*(?:\.\d+)?)\s*("
    + "|".join(_EN_BILLIONS + _EN_MILLIONS + ("wan", "thousand")) + r")\b"
    r"|(?:(?:rmb|cny)\s*)?(\d[\d,]*(?:\.\d+)?)(m)\b"
    r"|(?:rmb|cny)\s*\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s*(?:yuan|rmb|cny)\b")
_PERCENT = re.compile(rf"(?:\d+(?:\.\d+)?\s*%|百分之[{_CN_NUM}\d]+)")
_YEAR_NTH = re.compile(r"第\s*([1-9一二三四五六七八九两])\s*年")
_ONE_TO_ONE = re.compile(r"(?:1|一)\s*[:：比]\s*(?:1|一)")
# "那个券", "一种券": a bare 券 in a question about this policy is the 人力资源服务券. Other
# vouchers (消费券, 优惠券) keep their own word and are out of scope.
_BARE_VOUCHER = re.compile(r"(?<![务费惠金餐购代])券")
_FIRST_YEAR = re.compile(r"(?:头一年|首年|头年|入园当年)")
_YEARS = re.compile(rf"(?<![第\d])([1-9一二三两四五])\s*(?:个)?年(?![度底初中内])")
_ONE_YI = re.compile(r"(?:一个亿|个亿|过亿)")
_MONEY_CHAR = re.compile(r"[\d¥￥]")  # every match of _PLAIN_MONEY holds one
# (Written to leave a lone space alone: replacing it by a space changes nothing, and in English
# text, where every word ends in one, building the replaced text cost most of the pass. A run of
# two or more, or one other character, is replaced as a whole, as by "[^\w%#]+".)
_NOT_WORD = re.compile(r"[^\w%#](?:[^\w%#]+|(?<! ))")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")

_CN_DIGIT_VALUE = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
                   "六": "6", "七": "7", "八": "8", "九": "9"}


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only queries need it

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified; text that is already Simplified comes back unchanged."""
    if text.isascii():
        return text
    return _t2s().convert(text)


def _unit_token(match: re.Match) -> str:
    unit = match.group(1)
    if unit in ("亿",):
        return " #亿 "
    if unit in ("千万", "百万", "万", "w"):
        return " #万 "
    return " #元 "


# The full-width forms of ASCII (！ to ～) and the ideographic space: what NFKC changes in most
# questions (，？：). Each is one character whose NFKC form is the one it maps to here, so NFKC of
# the mapped text is NFKC of the text; and the mapped text is usually normalised already, which
# a quick check tells at a fraction of the cost of normalising.
_FULL_WIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}
# The same map by character, and a pattern that finds them: str.translate looks every character
# of the text up in the map (45 µs on a long Chinese message); the few full-width characters a
# text holds are replaced one by one instead (each maps to ASCII, outside the map: same result).
_FULL_WIDTH_CHARS = {chr(code): chr(to) for code, to in _FULL_WIDTH.items()}
_FULL_WIDTH_FOUND = re.compile("[\uff01-\uff5e\u3000]")


def clean(text: str) -> str:
    """NFKC, Simplified, lower case, control characters out, length capped."""
    # Lone surrogates (undecodable bytes read from a pipe) cannot be encoded: drop them.
    text = (text or "").encode("utf-8", "replace").decode("utf-8", "replace")
    text = _CONTROL.sub(" ", text)
    if not unicodedata.is_normalized("NFKC", text):
        for char in set(_FULL_WIDTH_FOUND.findall(text)):
            text = text.replace(char, _FULL_WIDTH_CHARS[char])
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).lower().replace("劵", "券")  # 劵 is a common slip for 券
    return text[:MAX_QUERY_CHARS]


def _english_amount_token(match: re.Match) -> str:
    """The placeholder of an _ENGLISH_AMOUNT match: #亿 from 100 million up, #万 below, #元 bare."""
    number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    if unit is None:
        return " #元 "
    if unit in _EN_BILLIONS:
        return " #亿 "
    if unit in _EN_MILLIONS or unit == "m":
        try:
            return " #亿 " if float(number.replace(",", "")) >= 100 else " #万 "
        except ValueError:
            return " #万 "
    return " #万 "


_DIGIT = re.compile(r"\d")


def _english_amount_start(text: str) -> int:
    """Where the first match of _ENGLISH_AMOUNT in an ASCII text can begin: at its first digit, or at
    the "rmb" or "cny" just before it (spaces between). The regex engine would try each position
    before it in vain (a long English message spent 50 µs so); nothing in the pattern looks back."""
    digit = _DIGIT.search(text)
    if digit is None:
        return len(text)
    before = text[:digit.start()].rstrip()  # (str.rstrip strips what \s matches)
    return len(before) - 3 if before.endswith(("rmb", "cny")) else digit.start()


def normalize_query(text: str) -> str:
    """The text the matcher segments: cleaned, numbers as placeholder tokens, punctuation out."""
    return normalize_cleaned(clean(text))


_GREETING_STARTS = frozenset("你您大老早上下晚hd ")
# A greeting that opens a question ("你好，请问…", "Hi, …") says nothing of what is asked; left in, its
# characters taught the model that a question opening so is likely not covered (of the 219 training
# questions opening with 你好, 100 are not), and "你好，请问园区的房租补贴怎么算？" went unanswered.
_OPENING_GREETING = re.compile(
    r"^(?:\s*(?:你好|您好|你们好|大家好|老师您好|老师好|老师(?=[\s,，!！:：])|早上好|上午好|下午好|晚上好|hi|hello|hey|dear\s+(?:sir|madam|team|all))"
    r"(?![a-z-])[\s,，!！.。~～、:：;；]*)+")  # (not "hi-tech")


def normalize_cleaned(text: str) -> str:
    """``normalize_query`` of text that ``clean`` already cleaned."""
    if text[:1] in _GREETING_STARTS:
        stripped = _OPENING_GREETING.sub("", text, count=1)
        text = stripped or text  # (a greeting alone stays itself)
    # Each pattern runs only when the text holds a character every match of it needs (a substring
    # test in C is far cheaper than a regex pass, and most questions have no 亿, %, 券 or 年).
    if "亿" in text:
        text = _ONE_YI.sub(" #亿 ", text)
    if "%" in text or "百分之" in text:
        text = _PERCENT.sub(" #% ", text)
    if ":" in text or "：" in text or "比" in text:
        text = _ONE_TO_ONE.sub(" 1比1 ", text)
    if "券" in text:
        text = _BARE_VOUCHER.sub(" 服务券 ", text)
    if "年" in text:
        text = _FIRST_YEAR.sub(" 第1年 ", text)
        text = _YEAR_NTH.sub(lambda m: f" 第{_CN_DIGIT_VALUE.get(m.group(1), m.group(1))}年 ", text)
    if "亿" in text or "万" in text or "w" in text or "k" in text:
        start = _AMOUNT_START.search(text)
        if start is not None:
            text = text[:start.start()] + _AMOUNT.sub(_unit_token, text[start.start():])
    if _MONEY_CHAR.search(text) is not None:
        if text.isascii():
            start = _english_amount_start(text)
            text = text[:start] + _ENGLISH_AMOUNT.sub(lambda m: _english_amount_token(m) + m.group(0) + " ",
                                                      text[start:])
        text = _PLAIN_MONEY.sub(" #元 ", text)
    if "年" in text:
        text = _YEARS.sub(" #年 ", text)
    # Punctuation, emoji, symbols and "_" (a word character) become one space a run: no spaces
    # are left to collapse afterwards.
    return _NOT_WORD.sub(" ", text.replace("_", " ")).strip()


_ARTICLE_REF = re.compile(r"第\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*条")
# "Article 5", "art. 11", "clause 17", "article twelve", "the 2nd article", "the third clause": English
# names an article too. A figure after the word is money, not an article ("article 10 wan").
_EN_NUMBERS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
               "sixteen seventeen eighteen nineteen").split()
_EN_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()
# Twenty to ninety-nine in words name no article of the policy, but someone asking about "article
# twenty-five" or "the thirtieth article" is told there is none, as "article 25" is.
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_ONES_WORDS = _EN_NUMBERS[:9] + _EN_ORDINALS[:9]  # "twenty-five" and "twenty-fifth" alike
_EN_BEYOND = ({tens: 10 * t for t, tens in enumerate(_EN_TENS, 2)}
              | {tens[:-1] + "ieth": 10 * t for t, tens in enumerate(_EN_TENS, 2)}
              | {f"{tens} {ones}": 10 * t + i % 9 + 1 for t, tens in enumerate(_EN_TENS, 2)
                 for i, ones in enumerate(_EN_ONES_WORDS)})
_EN_NUMBER = ({w: i for i, w in enumerate(_EN_NUMBERS, 1)} | {w: i for i, w in enumerate(_EN_ORDINALS, 1)}
              | _EN_BEYOND)
_EN_ONES = "|".join(_EN_ONES_WORDS)
# ("twenty" alone only when no one follows: "article twenty five wan" is money, not article 20)
_EN_BEYOND_WORDS = (r"(?:" + "|".join(_EN_TENS) + r")(?:[- ](?:" + _EN_ONES + r")|(?![- ](?:" + _EN_ONES + r")\b))"
                    r"|(?:" + "|".join(t[:-1] + "ieth" for t in _EN_TENS) + r")")
# (With the slips people make typing "article": "artcle", "artical", "articel", "aritcle".)
_ARTICLE_SLIPS = r"art(?:cle|ical|icel|ilce|icl)|aritcle|arcticle"
_ARTICLE_WORD = r"(?:articles?|(?:" + _ARTICLE_SLIPS + r")s?|art\.?|clauses?|sections?|sec\.?)"
_ARTICLE_SLIP = re.compile(r"\b(?:" + _ARTICLE_SLIPS + r")(?=s?\b)")
# An item, point or paragraph with its number names an article too, as the policy's numbered list
# is read ("item 9 of the policy", "point 12 of the measures"); by its place alone it does not ("my
# first point"), nor a point after a figure ("1 point 5").
_ITEM_WORD = (r"(?:items?|" + "".join(f"(?<!{w} )" for w in ("[0-9]", "zero", *_EN_NUMBERS[:10])) + r"points?|"
              r"measures?|para(?:graph)?s?)")
_ARTICLE_WORD_PARTS = ("art", "arit", "arct", "clause", "sec", "item", "point", "measure", "para")
# (one of them is in every _ARTICLE_WORD and _ITEM_WORD)
# (The lookahead: the first letters of the article words and the ordinals, and digits; see _AMOUNT.)
_ARTICLE_REF_EN = re.compile(
    r"(?=[acsftenimp0-9])(?:\b(?:" + _ARTICLE_WORD + "|" + _ITEM_WORD + r")\s*(?:no\.?\s*|number\s*|#\s*)?([0-9]{1,2}|"
    + _EN_BEYOND_WORDS + "|" + "|".join(_EN_NUMBERS[::-1]) + r")\b"
    r"(?!\s*(?:wan|w\b|yi|million|yuan|rmb|%|万|亿|元|by\b))"
    r"|\b([0-9]{1,2})(?:st|nd|rd|th)\s+" + _ARTICLE_WORD +
    r"|\b(" + _EN_BEYOND_WORDS + "|" + "|".join(_EN_ORDINALS[::-1]) + r")\s+" + _ARTICLE_WORD + ")", re.I)
_CN_DIGITS = "零一二三四五六七八九"
_CN_SMALL = {c: i for i, c in enumerate(_CN_DIGITS)}


def _small_number(text: str) -> int | None:
    """1–99 written in digits or Chinese (十一, 二十, 九)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_SMALL.get(tens, 0) if tens else 1) * 10 + (_CN_SMALL.get(ones, 0) if ones else 0)
        return value
    return _CN_SMALL.get(text)


# An article named by its place in one of the policy's five parts (一、支持产业园区高标准建设 … 五、附则):
# "the third article of part four" is article 15, not article 3; "第二部分第一条" is article 4.
_PART_NUMBER = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5,
                "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": 5, "final": 5}
_PLACE_IN_PART = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "last": -1, "final": -1,
                  "最后": -1} | {w: i for i, w in enumerate(_EN_ORDINALS[:6], 1)}
# (what every form of _ARTICLE_IN_PART holds: a text without one is not searched)
# (the Chinese words of the parts alone: "第三部分第六项" may name an article though it names no 条)
_PART_WORDS_ZH = ("部分", "大项", "章", "节")
_PART_WORDS = ("part", "section", "chapter", "heading", *_PART_WORDS_ZH, "附则", "provision")
_EN_PART = r"(?:part|section|chapter|heading)\s+(?P<{}>one|two|three|four|five|[1-5]|iv|v|i{{1,3}})\b"
_EN_PLACE = r"(?P<place>first|second|third|fourth|fifth|sixth|last|final|[1-6](?:st|nd|rd|th)?)"
# An item numbered after its word, "Part Four item 2", "item 2 of part four", "Part IV, article 1":
# its place in the part, or, for an article or clause the part holds by its own number ("Part Two,
# article 5"), that article.
_EN_ITEM = (r"(?P<{}>article|clause|item|point|measure)\s*(?:no\.?\s*|number\s*|#\s*)?"
            r"(?P<{}>[1-6]|one|two|three|four|five|six)\b")
_EN_PLACE_WORD = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_ARTICLE_IN_PART = re.compile(
    r"\b(?:the\s+)?" + _EN_PLACE + r"\s+(?:article|clause|item|point|measure)s?\s+(?:of|in|under|from)\s+(?:the\s+)?"
    + _EN_PART.format("part")
    + r"|\b" + _EN_PART.format("part4") + r"\s*(?:'s\s+|,\s*|:\s*|-\s*|\s)\s*(?:the\s+)?"
    + r"(?:(?P<place4>first|second|third|fourth|fifth|sixth|last|final|[1-6](?:st|nd|rd|th))\s+"
      r"(?:article|clause|item|point|measure)\b|" + _EN_ITEM.format("noun4", "number4") + ")"
    + r"|\b" + _EN_ITEM.format("noun5", "number5") + r"\s+(?:of|in|under|from)\s+(?:the\s+)?" + _EN_PART.format("part5")
    + r"|\b(?:the\s+)?(?P<part2>first|second|third|fourth|fifth|last|final)\s+(?:part|section|chapter)\s*(?:s\s+|'s\s+|,\s*)?"
      r"(?:the\s+)?(?P<place2>first|second|third|fourth|fifth|sixth|last|final|[1-6](?:st|nd|rd|th))\s+(?:article|clause|item|point)"
    + r"|第\s*(?P<part3>[一二三四五1-5])\s*(?:部分|大部分|大项|章|节)\s*(?:的|里的|中的|里|中)?\s*"
      r"(?:第\s*(?P<place3>[一二三四五六1-6])\s*(?P<unit3>条|项|点|个)|(?P<last3>最后)\s*(?:一条|一项|一点|一个))")


# A part of the policy asked about as a whole: "第三部分讲什么", "What's in part three?", "part 6 of
# the measures" (the policy has five; "part six" is told so, not answered with the nearest article).
_PART_ASKED = re.compile(
    r"第\s*(?P<zh>[一二三四五六七八九十]{1,2}|[0-9]{1,2})\s*(?:部分|大部分|大项|章)"
    r"|\b(?:part|chapter)\s+(?P<en>one|two|three|four|five|six|seven|eight|nine|ten|[0-9]{1,2}|v?i{1,3}|iv|v|ix|x)\b"
    r"|\b(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|last|final)\s+(?:part|chapter)\b")
_PART_WORDS_RAW = _PART_WORDS + ("大項", "節")  # (before cleaning: Traditional too)
_MORE_ROMAN = {"vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}  # (words and ordinals: _EN_NUMBER)
_ABOUT_THE_POLICY = re.compile(r"'s\b|\b(?:this|the|these)?\s*(?:policy|measures|document)\b|里面?|中的?|的内容|内容|部分")


def part_asked_about(question: str) -> int | None:
    """The part of the policy a raw question asks about and nothing else ("第三部分讲什么" → 3,
    "what's in part six of the measures" → 6), else None; a number above five is the caller's to refuse.
    Most questions name no part and are spared the cleaning."""
    if not any(map(question.lower().__contains__, _PART_WORDS_RAW)):
        return None
    text = clean(question)
    found = list(_PART_ASKED.finditer(text))
    if len(found) != 1:
        return None
    match = found[0]
    word = match.group("zh") or match.group("en") or match.group("ord")
    number = _PART_NUMBER.get(word) or _EN_NUMBER.get(word) or _MORE_ROMAN.get(word) or _small_number(word)
    rest = text[:match.start()] + " " + text[match.end():]
    rest = _WHAT_IT_SAYS.sub("", _ABOUT_THE_POLICY.sub("", _OWN_TITLE_QUOTED.sub("", rest)))
    return number if number and not rest else None


# "Section" names an article or one of the five parts: "what does section 3 say".
_SECTION_NAMED = re.compile(r"\bsec(?:tion|\.)?\s*(?:no\.?\s*|number\s*|#\s*)?([1-5]|one|two|three|four|five)\b")


def section_asked_about(question: str) -> int | None:
    """The number of "section N" when a raw question asks only what it says and N (1–5) could be
    an article or a part ("What does section 3 say?" → 3), else None: the caller asks which is meant."""
    if "sec" not in question.lower():
        return None
    text = clean(question)
    named = _SECTION_NAMED.search(text)
    if not named:
        return None
    number = _EN_NUMBER.get(named.group(1)) or int(named.group(1))
    return number if article_asked_about(text) == number else None


@lru_cache(maxsize=1)
def policy_parts() -> tuple[tuple[int, ...], ...]:
    """The article numbers of each of the policy's parts, from knowledge/policy.txt (a heading
    "一、…" starts a part, a line "4. …" is an article): ((1, 2, 3), (4, 5, 6, 7), …)."""
    parts: list[list[int]] = []
    text = (Path(__file__).with_name("policy.txt")).read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"[一二三四五六七八九十]、", line):
            parts.append([])
        elif parts and (number := re.match(r"(\d{1,2})\.\s", line)):
            parts[-1].append(int(number.group(1)))
    return tuple(tuple(part) for part in parts)


# Part five by its name, 附则, "the supplementary provisions" ("附则第二条", "the first article of the
# supplementary provisions"): read as "第五部分", "part five".
_LAST_PART_NAMED = re.compile(
    r"附则(?=\s*(?:的|里的|中的|里|中)?\s*(?:第|最后))"
    r"|\b(?:the\s+)?(?:supplementary|final|miscellaneous)\s+(?:provisions?|articles|clauses)\b")


def _last_part_numbered(text: str) -> str:
    """The text with part five's name, 附则, "the supplementary provisions", read as its number."""
    return _LAST_PART_NAMED.sub(lambda m: "第五部分" if m.group(0) == "附则" else "part five", text)


# The number _articles_by_place gives an article named by a place its part does not have.
NO_SUCH_PLACE_IN_PART = 99


def _articles_by_place(text: str) -> list[tuple[int, str, tuple[int, int]]]:
    """Articles named by their place in a part: (number, the words naming it, their span)."""
    found, parts = [], policy_parts()
    for match in _ARTICLE_IN_PART.finditer(text):
        named = {name[:-1] if name[-1].isdigit() else name: value
                 for name, value in match.groupdict().items() if value}
        part_word = named["part"]
        place_word = named.get("place") or named.get("number") or named.get("last")
        part = _PART_NUMBER.get(part_word) or _small_number(part_word)
        place = (_PLACE_IN_PART.get(place_word) or _EN_PLACE_WORD.get(place_word)
                 or _small_number(place_word.rstrip("stndrh") or place_word))
        if not (part and place and 1 <= part <= len(parts)):
            continue
        if named.get("noun") in ("article", "clause") and place > len(parts[part - 1]) and place in parts[part - 1]:
            found.append((place, match.group(0).strip(), match.span()))  # "Part Two, article 5": article 5
        elif place == -1 or place <= len(parts[part - 1]):
            found.append((parts[part - 1][place - 1 if place > 0 else -1], match.group(0).strip(), match.span()))
        else:
            # "the sixth article of part five" (part five has four): no article of the policy, not
            # article 6; named as articles_beyond_policy names one (a number above 19).
            written = (f"第{_CN_DIGITS[part]}部分第{_CN_DIGITS[place]}{match.group('unit3') or '条'}" if match.group("part3")
                       else f"article {place} of part {part}")
            found.append((NO_SUCH_PLACE_IN_PART, written, match.span()))
    return found


def article_references(text: str) -> list[int]:
    """Article numbers a question names: "第十一条怎么理解" → [11], "第5条" → [5]."""
    return articles_in_cleaned(clean(text))


# Words that, beside an article's name, only ask what it says: "第三条说的是什么", "What does
# Article 3 say?", "explain clause 14 please".
_WHAT_IT_SAYS = re.compile(
    r"请问|请|麻烦|帮忙|帮我|给我|一下|具体|主要|都|的|是|讲的|说的|写的|规定的?|讲了?|说了?|写了?|规定了?|"
    r"什么|啥|哪些|内容|意思|怎么理解|如何理解|解释|解读|介绍|讲讲|说说|看看|呢|吗|呀|啊|"
    # in plain words: "第十二条用大白话讲讲", "Article 12 in plain English?"
    r"用|大白话|白话|通俗|简单|概括|总结|一句话|"
    r"\b(?:what|whats|does|do|is|are|the|say|says|said|about|explain|explanation|meaning|mean|means|"
    r"content|contents|summary|summarise|summarize|tell|me|us|please|pls|plz|of|in|short|brief|briefly|"
    r"cover|covers|text|full|read|show|plain|simple|simply|english|words|layman|laymans|terms|gist|nutshell|a|an|few|one|line|lines|sentence|sentences)\b"
    r"|[\s?？。.!！,，:：'\"“”‘’]")


_OWN_TITLE_QUOTED = re.compile(r"《[^》]*(?:西青|产业园建设|若干政策措施)[^》]*》|(?:本|这个|该)?政策(?:文件)?(?:里|中)?")


def article_asked_about(text: str) -> int | None:
    """The one article a cleaned question names and asks nothing else about ("第三条说的是什么",
    "What does Article 3 say?"), else None."""
    found = articles_in_cleaned(text)
    if len(found) != 1:
        return None
    if "》" in text:  # the policy's own title names no other subject: "《…若干政策措施（试行）》第五条说了什么"
        text = _OWN_TITLE_QUOTED.sub("", text)
    named = _last_part_numbered(text) if any(map(text.__contains__, _PART_WORDS)) else text
    rest = _WHAT_IT_SAYS.sub("", _ARTICLE_LIST_EN.sub("", _ARTICLE_REF.sub("", _ARTICLE_IN_PART.sub("", named))))
    # "第十一条和第二十五条说的是什么": beside an article the policy does not have, ours is still asked about.
    if rest and articles_beyond_policy(text):
        rest = _ONLY_AND.sub("", rest)
    return found[0] if not rest else None


# What is left between two articles named together ("和", "and").
_ONLY_AND = re.compile(r"^\s*(?:和|与|跟|及|以及|还有|、|,|and|&|or|或)?\s*$")


def article_term(number: int) -> str:
    """The word a Chinese question names an article with: 14 → "第十四条" (1–19)."""
    tens, ones = divmod(number, 10)
    return "第" + ("十" if tens else "") + (_CN_DIGITS[ones] if ones else "") + "条"


def articles_in_cleaned(text: str) -> list[int]:
    """``article_references`` of text that ``clean`` already cleaned."""
    return [number for number, _written in _article_numbers(text) if number <= 19]


def may_name_an_article(text: str) -> bool:
    """Can a raw question name an article at all (条, "article", "art.", "clause", "section", or an
    item of a part: "第三部分第六项")? Most questions cannot, and are spared the cleaning that finding
    one takes."""
    return ("条" in text or any(map(text.lower().__contains__, _ARTICLE_WORD_PARTS))
            or ("第" in text and any(map(text.__contains__, _PART_WORDS_ZH))))


def articles_beyond_policy(text: str) -> list[str]:
    """The articles a cleaned question names that the policy does not have, as written ("第25条",
    "第三十条", "article 20"): it has nineteen."""
    return [written for number, written in _article_numbers(text) if number > 19]


# An article of another document: "《人力资源市场暂行条例》第十八条", "劳动合同法第四十条",
# "劳务派遣暂行规定第五条". A title with the policy's own words is this policy's ("《…若干政策措施
# （试行）》第五条"). A 规定, 办法 or 细则 is a document's name only after 暂行, 管理, 实施 or 试行: "这个
# 规定第五条" and "计算办法" name none.
_OTHER_DOCUMENT_ARTICLE = re.compile(
    r"(?:《(?P<title>[^》]{1,60})》|(?P<law>(?<![本该此这])[\u4e00-\u9fff]{1,20}"
    r"(?:(?<![方办做算说看想用])法|条例|(?:暂行|管理|实施|试行)(?:规定|办法|细则))))"
    r"\s*(?:的)?\s*第\s*(?:[0-9]{1,3}|[一二三四五六七八九十百]{1,4})\s*条")
# In English: "article 5 of the 人力资源市场暂行条例", "clause 40 of the Labour Contract Law", "the
# Labour Law article 44".
_LAW_EN = r"(?:[a-z'-]+\s+){0,6}?(?:law|act|regulations?|ordinance|code)\b"
_OTHER_DOCUMENT_ARTICLE_EN = re.compile(
    r"\b(?:article|art\.?|clause)\s*(?:no\.?\s*)?(?:[0-9]{1,3}|[a-z]+)\s+(?:of|in|under)\s+(?:the\s+)?"
    r"(?P<title>《[^》]{1,60}》|[\u4e00-\u9fff]{2,30}(?:法|条例)|" + _LAW_EN + ")"
    r"|\b(?:the\s+)?(?P<law>" + _LAW_EN + r")(?:'s|s)?\s+(?:article|art\.?|clause)\s*(?:no\.?\s*)?[0-9]{1,3}\b")
_OUR_TITLE = re.compile(r"西青|产业园建设|若干政策措施|本政策|这个政策|该政策|xiqing|this policy|these measures|hr park")


def other_documents_cited(text: str) -> list[str]:
    """The other documents whose articles a cleaned question names ("《人力资源市场暂行条例》第十八条"
    → ["人力资源市场暂行条例"]); this policy's own title is not among them."""
    names = []
    chinese = "第" in text and any(map(text.__contains__, ("》", "法", "条例", "规定", "细则")))  # (办法 holds 法)
    english = "art" in text or "clause" in text  # (what every English form holds: "article", "art.", "clause")
    for match in chain(_OTHER_DOCUMENT_ARTICLE.finditer(text) if chinese else (),
                       _OTHER_DOCUMENT_ARTICLE_EN.finditer(text) if english else ()):
        name = (match.group("title") or match.group("law")).strip("《》 ")
        name = name.title() if name.isascii() else name  # (cleaned text is lower case: "Labour Law")
        if not _OUR_TITLE.search(name.lower()) and name not in names:
            names.append(name)
    return names


def _without_other_documents(text: str) -> str:
    """The text without other documents' articles (kept: this policy's, named with its title)."""
    for pattern in (_OTHER_DOCUMENT_ARTICLE, _OTHER_DOCUMENT_ARTICLE_EN):
        text = pattern.sub(lambda m: m.group(0) if _OUR_TITLE.search(m.group("title") or m.group("law")) else " ", text)
    return text


def _article_numbers(text: str) -> list[tuple[int, str]]:
    """The article numbers a cleaned question names, with the words naming each, other documents'
    articles left out."""
    found = []
    if other_documents_cited(text):
        text = _without_other_documents(text)
    # An article by its place in a part first: "the third article of part four" holds "third
    # article", which is not article 3.
    if any(map(text.__contains__, _PART_WORDS)):
        text = _last_part_numbered(text)
        for number, written, (start, end) in _articles_by_place(text):
            found.append((number, written))
            text = text[:start] + " " * (end - start) + text[end:]
    # Each English name of an article holds its word (article, art., clause, section, sec.): a
    # text without one is not searched letter by letter. (Cleaned text is lower case.)
    english = _ARTICLE_REF_EN.finditer(text) if any(map(text.__contains__, _ARTICLE_WORD_PARTS)) else ()
    for match in [*_ARTICLE_REF.finditer(text), *english]:
        written = next(g for g in match.groups() if g)
        number = _EN_NUMBER.get(" ".join(written.lower().replace("-", " ").split())) or _small_number(written)
        if number is not None and number >= 1 and number not in (n for n, _ in found):
            # (a reply naming it writes the word right and the number in figures: "there is no
            # Article 21", not "Artcle 21"; "Article 30", not "Thirtieth article")
            written = (f"article {number}" if match.re is _ARTICLE_REF_EN and not written.isdigit()
                       and number > 19 else _ARTICLE_SLIP.sub("article", match.group(0).strip()))
            found.append((number, written))
        if match.re is _ARTICLE_REF_EN:  # "articles 5 and 25", "clauses 3, 7 and 9": the rest of the list
            end = match.end()
            while listed := _MORE_ARTICLES_EN.match(text, end):
                number, end = int(listed.group(1)), listed.end()
                if number >= 1 and number not in (n for n, _ in found):
                    found.append((number, f"article {number}"))
    return found


# The next number of a list of articles written in English after the first ("articles 5, 7 and 25").
# (It ends the question or a clause, or goes on with the list or with what is asked of the articles:
# "articles 5 and 25 people" is no list.)
_MORE_ARTICLES_EN = re.compile(r"\s*(?:,|&|\band\b|\bor\b)\s*(?:and\s+|or\s+)?([0-9]{1,2})\b"
                               r"(?=\s*(?:$|[?？.。,，;；!！&]|(?:and|or|say|says|said|mean|means|cover|covers|"
                               r"of|in|about|do|does|for)\b))")
# An English article's name with the rest of its list, to take out of a question whole.
_ARTICLE_LIST_EN = re.compile("(?:" + _ARTICLE_REF_EN.pattern + ")(?:" + _MORE_ARTICLES_EN.pattern + ")*", re.I)


def grouped_alternation(words, after_first: str = "") -> str:
    """A regex alternation of the literal words grouped by their first character ("a(?:bc|de)|x(?:yz)"),
    each group in the words' order: where the text holds one of those characters, the regex engine
    tries only the words that begin with it, rather than every word in turn. It matches what the
    plain alternation of the words in the same order matches (words of two groups never match at
    one position). ``after_first`` goes after each group's first character (an assertion about where
    the word begins: a pattern that begins with a character is searched faster than one that begins
    with an assertion)."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[:1], []).append(re.escape(word[1:]))
    return "|".join(re.escape(first) + after_first + "(?:" + "|".join(rests) + ")" for first, rests in groups.items())


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
