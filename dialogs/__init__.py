"""The channel-independent conversation engine.

A channel (terminal, Telegram) keeps one plain-JSON ``state`` per user and calls:

    state = new_state(lang="zh")
    state, replies = respond(state, text, now=None)   # anything the user typed, commands included
    state, replies = press(state, action, now=None)   # the ``action`` of a Button the user pressed

``respond`` understands questions (answered from ``knowledge``), interview answers, control words
(上一步, 跳过, 查看/修改, 重新开始, 取消, 为什么问这个) and the commands /start /help /check
/clause N /list /cancel /lang. Each ``Reply`` is what the channel shows:

    Reply.text      str, plain text (no markup)
    Reply.buttons   list of rows, each a list of Button(label, action); action is ASCII ≤ 60 bytes
    Reply.document  (filename, text) or None: something the user may keep (the estimate)
    Reply.kind      "answer" | "not_confident" | "question" | "estimate" | "info" | "error" | ...
    Reply.clauses   list[int]: articles cited
    Reply.events    list[dict] for the channel to act on or record, e.g.
                    {"type": "feedback", "entry": "a05", "value": 1},
                    {"type": "handoff", "question": "..."},
                    {"type": "asked", "query": ..., "top": "a05", "score": 0.93, "confident": True}

``state`` is JSON-serialisable, carries ``"version"``, and is never left unusable: a state from an
older version is migrated or restarted with an apology.
"""
