"""End to end: the real bot (PTB's HTTP client, polling) against the fake Bot API on loopback."""
from __future__ import annotations

USER = 1001


async def test_start_shows_the_menu(fake_api, running_bot):
    replies = await fake_api.replies_to(USER, lambda: fake_api.send_text(USER, "/start"))
    print([(r.text, r.button_labels()) for r in replies])
    assert replies
