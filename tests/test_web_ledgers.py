"""The welfare ledger, the member list and the sign-up list as desks (issue 26): columns, totals,
breakdowns, the 发放 method, filters, sorting, export and the printed sheets; and who may see them."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl

from storage.models import WelfareAudit
from tests.test_web import MEMBER, OFFICER, count, env, login, plain, post
from tests.test_web_desk import file_request

__all__ = ["env"]  # the fixture, shared with tests/test_web.py


def test_welfare_ledger_totals_breakdown_payout_and_print(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text(MEMBER, "#我的信息", private=True)
    chat.app.services.members.find(MEMBER)[0]
    first, second = file_request(chat), file_request(chat)
    officer, member = login(chat, web, OFFICER), login(chat, web, MEMBER)
    for code, amount in ((first, "500"), (second, "300")):
        post(officer, f"/welfare/{code}/act", {"action": "受理"}, page="/welfare")
        post(officer, f"/welfare/{code}/act", {"action": "核定", "text": amount, "reason": "住院时间长"}, page="/welfare")
    # 发放 asks how it was paid, keeps what was typed, and refuses a method not on the list.
    asked = post(officer, f"/welfare/{first}/act", {"action": "发放"}, page="/welfare").text
    assert "请选择发放方式" in asked and chat.app.services.welfare.audit_log(first)[-1].action != "发放"
    odd = post(officer, f"/welfare/{first}/act", {"action": "发放", "method": "支付宝"}, page="/welfare").text
    assert "发放方式请选" in odd
    paid = post(officer, f"/welfare/{first}/act", {"action": "发放", "method": "银行转账"}, page="/welfare").text
    assert "已发放" in paid and "2027-03-01，银行转账" in paid
    ledger = plain(officer.get("/welfare?year=2027").text)
    row = re.search(rf"<tr><td><a href=\"/welfare/{first}\">.*?</tr>", ledger, re.S)
    assert row and "<td>2027-03-01</td><td>银行转账</td>" in row.group(0)
    assert "合计（不含驳回）2 件</th><td>800</td>" in ledger and "其中已发放 1 件 500 元" in ledger
    assert "<caption>按类型</caption>" in ledger and "<td>住院</td><td>2</td><td>800</td>" in ledger
    assert "<td>2027-03</td><td>2</td><td>800</td>" in ledger
    # The 审批表: one sheet, and opening it is one logged read of the request.
    reads = count(chat.app.engine, WelfareAudit, WelfareAudit.request_code == first, WelfareAudit.action == "查看")
    sheet = officer.get(f"/welfare/{first}/print").text
    for label in ("慰问对象", "部门", "核定金额", "发放日期", "发放方式", "工会主席审批"):
        assert f"<th>{label}</th>" in sheet
    assert "银行转账" in sheet and "市第一人民医院" in sheet
    assert count(chat.app.engine, WelfareAudit, WelfareAudit.request_code == first,
                 WelfareAudit.action == "查看") == reads + 1
    # A teacher never sees the welfare pages, their own request's sheet included.
    for path in ("/welfare", f"/welfare/{first}", f"/welfare/{first}/print", "/welfare/export.xlsx?year=2027"):
        assert member.get(path).status_code == 404
    assert officer.get("/welfare/W2027-999/print").status_code == 404


def names_on(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", plain(html), re.S)
    return re.findall(r"<tr><td>([^<]+)</td>", body.group(1)) if body else []


def test_members_search_filter_sort_by_pinyin_and_export(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    admin = login(chat, web, "王主席")
    csv = "姓名,部门,性别,角色\n张伟,数学组,男,\n安琪,语文组,女,\n周红,数学组,女,福利委员\n白雪,,女,\n".encode()
    assert "新增 4 人" in post(admin, "/members/import", files={"file": ("花名册.csv", csv, "text/csv")},
                              page="/members").text
    roster = ["安琪", "白雪", "张伟", "周红"]
    # By pinyin: an (安) < bai (白) < zhang (张) < zhou (周), whatever the import order or the code points.
    listed = [n for n in names_on(admin.get("/members").text) if n in roster]
    assert listed == roster
    by_dept = [n for n in names_on(admin.get("/members?sort=dept").text) if n in roster]
    assert by_dept == ["张伟", "周红", "安琪", "白雪"]  # 数学 (shu) < 语文 (yu); no department last
    assert names_on(admin.get("/members", params={"q": "周"}).text) == ["周红"]
    assert names_on(admin.get("/members", params={"q": "无此人"}).text) == []
    assert "没有符合条件的会员" in admin.get("/members", params={"q": "无此人"}).text
    assert names_on(admin.get("/members", params={"dept": "数学组"}).text) == ["张伟", "周红"]
    assert names_on(admin.get("/members", params={"role": "welfare_officer", "dept": "数学组"}).text) == ["周红"]
    # Unknown filters and sorts are ignored, never an error page.
    odd = admin.get("/members", params={"role": "<b>", "sort": "x"})
    assert odd.status_code == 200 and "<b>" not in odd.text
    # The export holds the list as filtered, without contact ids.
    xlsx = admin.get("/members/export.xlsx", params={"dept": "数学组"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["姓名", "部门", "性别", "在职/退休", "身份", "微信"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["张伟", "周红"]
    # A teacher sees neither the list nor the export.
    member = login(chat, web, MEMBER)
    assert member.get("/members").status_code == 404
    assert member.get("/members/export.xlsx").status_code == 404


def test_signups_hide_cancelled_and_past_events_and_print_a_sheet(env, clock) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    chat.text("王主席", "#发起报名 春季踏青 时间=3月20日8:00 截止=3月18日17:00")
    chat.text("王主席", "#发起报名 读书会 时间=3月5日15:00 截止=3月4日17:00")
    chat.text("王主席", "#发起报名 羽毛球赛 时间=4月1日15:00 截止=3月30日17:00")
    chat.text("王主席", "#取消活动 3")
    admin, member = login(chat, web, "王主席"), login(chat, web, MEMBER)
    assert "报名成功" in post(member, "/signups/1/join", {"note": "素食"}, page="/signups/1").text
    chat.text("张老师", "#报名 1")

    def listed(client, path: str = "/signups") -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(re.findall(r'<a href="/signups/\d+">([^<]+)</a>', client.get(path).text))

    assert listed(member) == sorted(["春季踏青", "读书会"])  # the cancelled one behind the toggle
    assert "另有 1 个已取消或已结束" in admin.get("/signups").text
    assert listed(admin, "/signups?all=1") == sorted(["春季踏青", "读书会", "羽毛球赛"])
    clock.advance(dt.timedelta(days=6))  # 读书会 (3月5日) is over
    admin, member = login(chat, web, "王主席"), login(chat, web, MEMBER)
    assert listed(member) == ["春季踏青"] and "读书会" in listed(member, "/signups?all=1")
    # The 签到表: the confirmed, an empty column to sign; for whoever organises events only.
    sheet = plain(admin.get("/signups/1/sheet").text)
    assert "春季踏青 签到表" in sheet and "<th>签名</th>" in sheet and "<nav>" not in sheet
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", sheet)
    assert sorted(name for _, name in rows) == sorted([MEMBER, "张老师"]) and [n for n, _ in rows] == ["1", "2"]
    assert "素食" in sheet and 'href="/signups/1/sheet"' in admin.get("/signups/1").text
    assert member.get("/signups/1/sheet").status_code == 404
    assert admin.get("/signups/99/sheet").status_code == 404
