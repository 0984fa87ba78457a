"""Never trust a name the contact controls (issue 15): a newcomer who calls themselves 王主席 gets no
admin rights, and one who takes a member's name sees none of that member's requests or proposals."""

from __future__ import annotations

from bot.app import App
from tests.conftest import ChatDriver


def test_a_newcomer_named_like_the_admin_gets_no_rights(chat: ChatDriver, app: App) -> None:
    chat.console.speaker_id, chat.console.speaker_name = "wxid_stranger", "王主席"
    chat.console.private = False
    out = chat.console.say("#发送通知 明天放假")
    assert "仅限工会管理员" in out[0].text
    assert app.services.notices.list() == []
    chat.console.private = True
    assert "身份：会员、教代会代表\n" in chat.console.say("#我的信息")[0].text


def test_a_newcomer_named_like_a_member_sees_nothing_of_theirs(chat: ChatDriver, app: App) -> None:
    chat.text("李老师", "#申请 住院 医院=市一院 住院日期=2027-02-20 天数=5", private=True)
    code = chat.text("李老师", "确认", private=True).split("编号 ")[1][:9]
    chat.text("李老师", "#提案 食堂｜午餐太贵｜降价", private=True)
    chat.text("李老师", "提交", private=True)
    chat.console.speaker_id, chat.console.speaker_name = "wxid_impostor", "李老师"
    chat.console.private = True
    assert "没有" in chat.console.say("#我的申请")[0].text
    assert "无权查看" in chat.console.say(f"#申请详情 {code}")[0].text
    assert "还没有提交" in chat.console.say("#我的提案")[0].text
    assert "只有提案人可以评价" in chat.console.say("#评价 2027-001 满意")[0].text
    me = app.services.members.get_by_contact("wxid_impostor")
    real = app.services.members.get_by_contact("李老师")
    assert me is not None and real is not None and me.id != real.id
