"""Issue 27 item 9: turnout is rounded half up and shown with the count beside it (2/3 → 67%)."""

from __future__ import annotations

import math
from fractions import Fraction

from bot.app import App
from handlers.vote_rules import percent, turnout_text
from storage.members import RosterRow
from tests.conftest import ChatDriver


def test_percent_rounds_half_up_exactly() -> None:
    assert percent(2, 3) == 67 and percent(1, 3) == 33 and percent(1, 8) == 13 and percent(1, 200) == 1
    assert percent(0, 7) == 0 and percent(7, 7) == 100 and percent(1, 6) == 17 and percent(5, 6) == 83
    for whole in range(1, 120):
        for part in range(whole + 1):
            assert percent(part, whole) == math.floor(Fraction(100 * part, whole) + Fraction(1, 2)), (part, whole)
    assert turnout_text(2, 3) == "投票率 67%（2/3）"


def test_two_of_three_representatives_is_shown_as_67_percent_with_the_count(chat: ChatDriver, app: App) -> None:
    app.services.members.import_roster([RosterRow(n, role="代表", contact_id=n) for n in ("李老师", "王老师", "张老师")])
    chat.text("王主席", "#发起投票 关于修订绩效方案的决议 对象=代表")
    chat.text("李老师", "#投票 1 赞成", private=True)
    chat.text("王老师", "#投票 1 赞成", private=True)
    during = chat.text("王主席", "#投票结果 1", private=True)
    assert "已投 2/3 人（投票率 67%（2/3））" in during
    result = chat.text("王主席", "#结束投票 1", private=True)
    assert "投票率 67%（2/3）" in result and "66%" not in result
