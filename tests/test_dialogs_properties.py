"""Random and hostile text at every step: the engine never raises and never loses an earlier answer."""
import json
import logging
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import new_state, press, respond
from dialogs.engine import control_of

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

# The answers of an institution's interview, by key; the script replays them in whatever order asked.
SCRIPT = {"role": "1", "registered_in_park": "是", "legal_person": "是", "independent_accounting": "是",
          "sound_finance": "是", "origin": "1", "revenue": "2亿", "contribution": "500万", "park_year": "1",
          "rent_paid": "60万", "ranking": "4", "competition_city_award": "没有", "ipo_city_subsidy": "没有",
          "events": "没有", "facility_fees": "没有", "manager_contributions": "10万", "brand_selected": "否"}

hostile = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["So", "Cs", "Co", "Cc", "Cf", "Zs"]), max_size=40)
    .filter(lambda s: "\ud800" not in s),
    st.sampled_from(["😀" * 50, "x" * 10_000, "\x00\x1b[31m\x07", "ሰላም ልዑል", "مرحبا", "Привет", "🙏🏽‍♀️",
                     "'; DROP TABLE users; --", "<b>粗体</b>", "%s%n{0}", "\u202e反向", "１２３", "?" * 300,
                     "/clause", "/clause -1", "/lang xx", "/", "ans:role:", "第九九九九年", "1e309亿",
                     "9" * 400 + "万", "一" * 500 + "亿"]),
)


class _Failures(logging.Handler):
    """The engine turns its own bugs into a polite reply and a log record: count those as failures."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


FAILURES = _Failures()
logging.getLogger("dialogs").addHandler(FAILURES)


def _checked(state, replies):
    assert not FAILURES.records, FAILURES.records[0].getMessage() if FAILURES.records else ""
    json.dumps(state)
    assert replies, "every input gets an answer"
    for reply in replies:
        assert isinstance(reply.text, str) and reply.text
        for row in reply.buttons:
            for button in row:
                assert button.action.isascii() and len(button.action.encode()) <= 60
    return state


def _answers(state):
    itv = state.get("interview")
    return dict(itv["answers"]) if itv else {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile, min_size=1, max_size=20))
def test_hostile_text_at_every_step(noise):
    state = _checked(*respond(new_state(), "/check", now=NOW))
    for junk in noise:
        before = _answers(state)
        state = _checked(*respond(state, junk, now=NOW))
        after = _answers(state)
        if control_of(junk) is None:
            for key, value in before.items():
                assert after.get(key) == value, f"{junk!r} lost the answer to {key}"
        # then one real answer, so the noise lands on every question in turn
        itv = state.get("interview")
        if itv and itv["phase"] == "asking" and itv["pending"] in SCRIPT:
            state = _checked(*respond(state, SCRIPT[itv["pending"]], now=NOW))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=80))
def test_hostile_button_actions_never_raise(action):
    state = _checked(*respond(new_state(), "/check", now=NOW))
    state = _checked(*respond(state, "1", now=NOW))
    before = _answers(state)
    state = _checked(*press(state, action, now=NOW))
    assert _answers(state) == before or action.startswith("ans:")


@settings(max_examples=30, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                       max_size=6), max_leaves=20))
def test_any_stored_state_is_survivable(stored):
    state, replies = respond(stored, "你好", now=NOW)
    _checked(state, replies)
