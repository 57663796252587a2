"""Buttons that lead somewhere (issue 9, point 5): the hand-off only with a help desk, one name
for it, no 查看原文 under the original text, 上一步 says where it returns, steady step numbers,
and answers distinguishable from controls."""
from datetime import datetime, timezone

from dialogs import Button, is_answer_action, new_state, press, respond

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
ELIGIBILITY = ("registered_in_park", "legal_person", "independent_accounting", "sound_finance")


def labels(replies):
    return [b.label for r in replies for row in r.buttons for b in row]


def actions(replies):
    return [a for r in replies for a in r.actions()]


def session(handoff):
    """Every reply of a varied session: menu, answers, not-confident, feedback, interview, estimate."""
    state, out = new_state("zh"), []

    def say(text):
        nonlocal state
        state, replies = respond(state, text, now=NOW, handoff=handoff)
        out.extend(replies)

    def tap(action):
        nonlocal state
        state, replies = press(state, action, now=NOW, handoff=handoff)
        out.extend(replies)

    say("/start")
    say("房租补贴怎么算")
    say("今天天气怎么样")
    say("那个补贴")
    tap("fb:-:a05")
    say("/check")
    say("1")
    tap("ans:registered_in_park:no")
    say("上一步")
    say("是")
    say("/lang en")
    say("How is the rent subsidy calculated?")
    tap("ctl:finish")
    return state, out


def test_no_hand_off_button_without_a_help_desk():
    _state, replies = session(handoff=False)
    assert "human" not in actions(replies)
    assert not {"转人工", "联系人工", "Contact staff", "Talk to a person"} & set(labels(replies))
    for reply in replies:
        assert "转人工" not in reply.text and "Talk to a person" not in reply.text


def test_with_a_help_desk_the_button_has_one_name():
    _state, replies = session(handoff=True)
    assert "human" in actions(replies)
    named = {b.label for r in replies for row in r.buttons for b in row if b.action == "human"}
    assert named == {"联系人工", "Contact staff"}


def test_a_typed_request_for_a_person_without_a_help_desk_is_referred_to_the_bureau():
    state, replies = respond(new_state(), "转人工", now=NOW)
    assert "区人社局" in replies[0].text
    assert not any(e.get("type") == "handoff" for r in replies for e in r.events)
    state, replies = respond(new_state("en"), "talk to a person", now=NOW)
    assert "Human Resources and Social Security Bureau" in replies[0].text and replies[0].entry is None
    state, replies = respond(new_state(), "转人工", now=NOW, handoff=True)
    assert any(e.get("type") == "handoff" for r in replies for e in r.events)


def test_the_original_text_does_not_offer_itself_again():
    state, replies = respond(new_state(), "房租补贴怎么算", now=NOW)
    assert "text:a05" in replies[0].actions()
    state, replies = press(state, "text:a05", now=NOW)
    assert "text:a05" not in replies[0].actions() and replies[0].entry == "a05"
    state, replies = respond(state, "/clause 5", now=NOW)
    assert "text:a05" not in replies[0].actions()


def test_answers_name_their_entry():
    _state, replies = respond(new_state(), "房租补贴怎么算", now=NOW)
    assert replies[0].entry == "a05"
    _state, replies = respond(new_state(), "/help", now=NOW)
    assert replies[0].entry is None


def test_back_shows_the_answer_it_returns_to():
    state, _ = respond(new_state(), "资格自测", now=NOW)
    state, _ = respond(state, "1", now=NOW)
    state, _ = respond(state, "是", now=NOW)
    state, replies = press(state, "ctl:back", now=NOW)
    said = "\n".join(r.text for r in replies)
    assert "在园区注册并入驻" in said and "是" in said


def test_step_numbers_never_jump_or_go_back_and_the_total_is_said_when_it_changes():
    state, replies = respond(new_state(), "资格自测", now=NOW)
    seen = [(replies[-1].progress, replies[-1].text)]
    assert seen[0][0][0] == 1
    script = {"role": "1", "origin": "区内迁入", "revenue": "3.2亿，去年1.5亿"}
    for _ in range(10):
        pending = state["interview"]["pending"]
        state, replies = respond(state, script.get(pending, "是" if pending in ELIGIBILITY else "跳过"), now=NOW)
        seen.append((replies[-1].progress, replies[-1].text))
    steps = [p[0] for p, _ in seen]
    assert steps == list(range(1, len(steps) + 1)), steps   # 3.2亿 and 去年1.5亿: one step, not two
    for (before, _), (after, text) in zip(seen, seen[1:]):
        said = f"共{after[1]}项" in text
        assert said == (after[1] != before[1]), (before, after, text)


def test_builder_total_is_recomputed_once_and_said():
    state, replies = respond(new_state(), "资格自测", now=NOW)
    first_total = replies[-1].progress[1]
    state, replies = respond(state, "3", now=NOW)
    step, total = replies[-1].progress
    assert step == 2 and total < first_total
    assert f"共{total}" in replies[-1].text or f"{total}项" in replies[-1].text


def test_controls_are_not_answers():
    state, replies = respond(new_state(), "资格自测", now=NOW)
    question = replies[-1]
    for row in question.buttons:
        for button in row:
            assert button.is_answer == button.action.startswith("ans:")
            assert is_answer_action(button.action) == button.is_answer
    answer_labels = {b.label for row in question.buttons for b in row if b.is_answer}
    assert "上一步" not in answer_labels and "为什么问这个？" not in answer_labels
    assert "入驻的人力资源服务机构" in answer_labels
    assert not Button("查看/修改", "ctl:review").is_answer


def test_a_press_that_cannot_be_served_says_so_in_an_event():
    state, _ = respond(new_state(), "资格自测", now=NOW)
    state, replies = press(state, "ans:role:institution", now=NOW)
    assert not any(e.get("type") == "stale" for r in replies for e in r.events)
    state, replies = press(state, "ans:role:builder", now=NOW)        # the role question is gone
    assert replies[0].events == [{"type": "stale"}] and state["interview"]["answers"]["role"] == "institution"
    _state, replies = press(new_state(), "ask:no-such-entry", now=NOW)
    assert replies[0].events == [{"type": "stale"}]


def test_a_control_after_the_estimate_is_never_met_with_silence():
    state, _ = respond(new_state(), "资格自测", now=NOW)
    state, _ = respond(state, "3", now=NOW)
    state, replies = press(state, "ctl:finish", now=NOW)
    assert replies[-1].kind == "estimate"
    for action in ("ctl:skip", "ctl:why", "ctl:finish"):
        state, replies = press(state, action, now=NOW)
        assert replies and "ctl:restart" in replies[-1].actions(), action
