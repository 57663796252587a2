"""Which questions apply: the answer, worked out once per snapshot of the answers, is the one each question's conditions give."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import interview as iv

# Values the conditions compare with, and near misses: numbers at the thresholds, True beside 1,
# a list (unhashable) where a number is expected.
values = st.sampled_from(["institution", "operator", "builder", "new", "relocated", "none", "city", "national",
                          0, 1, True, False, 99_999_999, 100_000_000, 100_000_001, None, [1, 2]])
answers = st.dictionaries(st.sampled_from([q.key for q in iv.questions()]), values, max_size=8)


@settings(max_examples=500, deadline=None)
@given(answers)
def test_applicable_is_each_question_whose_conditions_hold(given_answers):
    expected = [q for q in iv.questions() if iv.applies(q, given_answers)]
    assert iv.applicable(given_answers) == expected
    assert iv.applicable(dict(given_answers)) == expected  # again, from the cache


def test_true_is_not_taken_for_one():
    # competition_before_joining is asked only after a city award of more than 0 yuan.
    keys = lambda answers: [q.key for q in iv.applicable(answers)]  # noqa: E731
    assert "competition_before_joining" in keys({"role": "institution", "competition_city_award": 1})
    assert "competition_before_joining" not in keys({"role": "institution", "competition_city_award": True})
    assert "competition_before_joining" in keys({"role": "institution", "competition_city_award": 1})


def reference_next_question(answers, skipped, ranking, last_key):
    """next_question as it was before the ranking could be put off: one min over (group, rank, order)."""
    open_ = [q for q in iv.questions() if iv.applies(q, answers) and q.key not in answers and q.key not in skipped]
    if not open_:
        return None
    for q in open_:
        if q.after and q.after in answers and (last_key is None or q.after == last_key):
            return q
    rank = {k: i for i, k in enumerate(ranking or [])}
    order = {q.key: i for i, q in enumerate(iv.questions())}
    return min(open_, key=lambda q: (q.group, rank.get(q.key, len(rank)), order[q.key]))


keys = st.sampled_from([q.key for q in iv.questions()])


@settings(max_examples=500, deadline=None)
@given(answers, st.lists(keys, max_size=4), st.permutations([q.key for q in iv.questions()]),
       st.none() | keys)
def test_next_question_is_the_same_whether_the_ranking_is_given_or_put_off(given_answers, skipped, ranking, last_key):
    expected = reference_next_question(given_answers, skipped, ranking, last_key)
    assert iv.next_question(given_answers, skipped, ranking, last_key) == expected
    # Put off, the ranking is asked only for the questions it decides between.
    assert iv.next_question(given_answers, skipped, lambda keys: [k for k in ranking if k in keys], last_key) \
        == expected
