"""Answers as people type them: money, yes/no, whole numbers, choices, and facts in free text."""
import pytest

from dialogs.parsing import (extract_facts, find_amounts, parse_choice, parse_integer, parse_money,
                             parse_money_list, parse_yes_no)


@pytest.mark.parametrize("text, yuan", [
    ("1.2亿", 120_000_000),
    ("1亿2000万", 120_000_000),
    ("1亿零500万", 105_000_000),
    ("一亿五", 150_000_000),
    ("一点二亿", 120_000_000),
    ("5000万", 50_000_000),
    ("5千万", 50_000_000),
    ("两千五百万", 25_000_000),
    ("八十万", 800_000),
    ("两个亿", 200_000_000), ("1.2个亿", 120_000_000), ("半个亿", 50_000_000),   # as people say it
    ("八万五", 85_000),
    ("一百零五万", 1_050_000),
    ("80万元", 800_000),
    ("80万块", 800_000),
    ("80w", 800_000),
    ("80W", 800_000),
    ("８０万", 800_000),            # full-width digits
    ("800,000", 800_000),
    ("1,200,000.00", 1_200_000),
    ("￥800000", 800_000),
    ("¥800,000", 800_000),
    ("RMB 800,000", 800_000),
    ("1.5 million", 1_500_000),
    ("450 mil", 450_000_000),          # the short forms people type
    ("1.2 bil", 1_200_000_000),
    ("3k", 3_000),
    ("大约80万左右", 800_000),
    ("交了60万", 600_000),
    ("76.5万", 765_000),
    ("0", 0),
    ("没有", 0),
])
def test_money_forms(text, yuan):
    assert parse_money(text) == yuan


@pytest.mark.parametrize("text", [
    "", "万", "千万", "-5万", "abc", "第二年", "第二年房租100万", "1.2.3万", "12345678901234567", "二三万",
    "很多钱", "😀", "x" * 5000,
])
def test_money_rejects(text):
    assert parse_money(text) is None


def test_money_none_words_only_when_allowed():
    assert parse_money("没有", allow_none_words=False) is None


@pytest.mark.parametrize("text, value", [
    ("是", True), ("是的。", True), ("有", True), ("对", True), ("对的", True), ("嗯", True), ("符合", True),
    ("y", True), ("Yes", True), ("YES!", True),
    ("否", False), ("不是", False), ("不", False), ("没有", False), ("没有的", False), ("不符合", False),
    ("n", False), ("no", False), ("No.", False),
    ("是的，我们在园区注册了", True), ("不是，我们是分公司", False), ("yes, we are", True),
])
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


@pytest.mark.parametrize("text", ["", "不知道", "是不是要先交房租", "maybe", "1", "😀", "我们，是的"])
def test_yes_no_rejects(text):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("text, n", [
    ("3", 3), ("第二年", 2), ("两年", 2), ("第3年", 3), ("三", 3), ("十二", 12), ("第十年", 10),
    ("second", 2), ("year 2", 2), ("２", 2),
    ("头一年", 1), ("今年是第二年", 2), ("已经是第三年了", 3), ("3rd year", 3), ("third year", 3), ("our 2nd year", 2),
])
def test_integer(text, n):
    assert parse_integer(text) == n


@pytest.mark.parametrize("text", ["", "abc", "两三年", "-1", "1.5"])
def test_integer_rejects(text):
    assert parse_integer(text) is None


CHOICES = [
    {"value": "new", "label": "区外新引进或新注册", "label_en": "New", "aliases": ["新引进", "区外", "新注册"]},
    {"value": "relocated", "label": "区内已有机构迁入", "label_en": "Moved in", "aliases": ["迁入", "区内"]},
]


@pytest.mark.parametrize("text, value", [
    ("1", "new"), ("2", "relocated"), ("二", "relocated"), ("区外新引进或新注册", "new"), ("新引进", "new"),
    ("我们是区外新引进的", "new"), ("迁入", "relocated"), ("moved in", "relocated"), ("relocated", "relocated"),
])
def test_choice(text, value):
    assert parse_choice(text, CHOICES) == value


@pytest.mark.parametrize("text", ["3", "0", "都不是", "区外迁入区内"])
def test_choice_rejects_out_of_range_and_ambiguous(text):
    assert parse_choice(text, CHOICES) is None


def test_money_list():
    assert parse_money_list("50万和30万") == [500_000, 300_000]
    assert parse_money_list("50万、30万，20万") == [500_000, 300_000, 200_000]
    assert parse_money_list("500000, 300000") == [500_000, 300_000]
    assert parse_money_list("没有") == []
    assert parse_money_list("办了两场，分别花了50万和30万") == [500_000, 300_000]
    assert parse_money_list("不记得了") is None


def test_amounts_in_text_need_a_unit():
    assert find_amounts("世界500强，第一年，90%") == []
    assert [a for _, a in find_amounts("一年租金才8万块，营收1.2亿")] == [80_000, 120_000_000]


def test_facts_from_one_sentence():
    assert extract_facts("我们是区外新引进的，今年营收2亿，房租第一年交了60万") == {
        "origin": "new", "revenue": 200_000_000, "park_year": 1, "rent_paid": 600_000}


@pytest.mark.parametrize("text, expected", [
    ("我们营收1.3亿能拿多少", {"revenue": 130_000_000}),
    ("第二年房租交了100万", {"park_year": 2, "rent_paid": 1_000_000}),
    ("营收从1.9亿涨到了2.1亿", {"revenue_prev": 190_000_000, "revenue": 210_000_000}),
    ("去年营收9800万，今年预计能过1.1亿", {"revenue_prev": 98_000_000, "revenue": 110_000_000}),
    ("我们是区内的机构，今年迁入园区", {"origin": "relocated"}),
    ("我们是运营方，入驻机构营收总额12亿", {"role": "operator", "tenants_revenue": 1_200_000_000}),
    ("我们是外地公司在园区设的分公司", {"origin": "new", "legal_person": False}),
    ("头一年房租85万，能补76.5万吗", {"park_year": 1, "rent_paid": 850_000}),
    ("Our second-year rent was 1 million yuan", {"park_year": 2, "rent_paid": 1_000_000}),  # hyphenated
    ("Our revenue this year is 1.2 billion", {"revenue": 1_200_000_000}),
    ("our revenue is like 450 mil this year", {"revenue": 450_000_000}),
    # where the firm comes from (article 18), in English
    ("We moved into the park from elsewhere in Xiqing. Our revenue this year is 2.5 billion",
     {"origin": "relocated", "revenue": 2_500_000_000}),
    ("We were based in Xiqing before we moved into the park", {"origin": "relocated"}),
    ("A firm moved from Zhongbei town to the park", {"origin": "relocated"}),
    ("We are newly registered in the park", {"origin": "new"}),
    ("We came from another city last year", {"origin": "new"}),
    ("We moved here from Nankai", {"origin": "new"}),         # another district of Tianjin: from outside
    ("We relocated from Beijing to the park", {"origin": "new"}),
    ("我们从北京搬到园区，营收3亿", {"origin": "new", "revenue": 300_000_000}),
    ("我们公司从南开区整体搬到西青园区", {"origin": "new"}),
    ("我们从杨柳青搬进园区", {"origin": "relocated"}),        # a town of Xiqing
    ("从红桥搬过来的", {"origin": "new"}),                  # 红桥 is "hongqiao": another district, by its pinyin
    ("我们从本区其他街道搬来", {"origin": "relocated"}),
    ("我们从外省搬到园区", {"origin": "new"}),
    ("我们搬到园区了", {}),                                # into the park, from where is not said
    ("从老家搬过来的公司", {}),                              # a place the words do not place
    ("从先前的办公地点搬过来", {}),                          # 先 is "xian" (西安): one syllable is no city
    ("We relocated from Jiangning to the park", {}),
    ("We moved from Dalian to the park", {"origin": "new"}),
    # article 16's conditions in English, as in Chinese
    ("We are a branch office of a Shanghai firm", {"legal_person": False}),
    ("we are not registered in the park", {"registered_in_park": False}),
    ("我们的注册地不在园区", {"registered_in_park": False}),
    ("we have an independent legal entity", {"legal_person": True}),
    # another's figure is not the asker's; "parent" and "current" hold no rent
    ("our parent company has revenue of 5 billion", {}),
    ("我们的客户营收有10亿", {}),
    ("母公司营收50亿，园区子公司营收2亿", {"revenue": 200_000_000}),
    ("the current revenue is 300 million", {"revenue": 300_000_000}),
    ("our rental cost was 600k", {"rent_paid": 600_000}),
    ("We're already in Xiqing's HR park", {}),
    ("Revenue grew from 1.2 billion to 2.5 billion", {"revenue_prev": 1_200_000_000, "revenue": 2_500_000_000}),
    ("我们是世界500强旗下的人力资源公司", {"ranking": "global500", "role": "institution"}),
    ("没进任何500强榜单", {}),
    ("今天天气不错", {}),
])
def test_facts(text, expected):
    assert extract_facts(text) == expected
