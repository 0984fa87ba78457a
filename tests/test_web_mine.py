"""Issue 26, "Teachers serve themselves": a member without roles files a 提案 and a 慰问 request on the
我的 page through the same typed actions as the chat's forms, follows them, and sees only their own."""

from __future__ import annotations

import re

from storage.models import Proposal, WelfareRequest
from tests.test_web import ADMIN, MEMBER, OFFICER, count, env, login, nav, post
from tests.test_web_desk import file_request

__all__ = ["env"]

PROPOSAL = {"title": "增设教师休息室", "reason": "课间没有休息的地方", "suggestion": "把三楼空教室改为休息室",
            "cosigners": ""}
STAY = {"kind": "住院", "f_医院": "市第一人民医院", "f_住院日期": "2027-02-20", "f_天数": "9", "note": "阑尾炎手术"}


def main(html: str) -> str:
    return html.split("<main>", 1)[1]


def test_a_teacher_files_a_proposal_on_the_page_and_the_chat_sees_it(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    teacher = login(chat, web, MEMBER)
    assert "我的" in nav(teacher.get("/").text) and "投票" not in nav(teacher.get("/").text)
    done = post(teacher, "/mine/proposal", PROPOSAL, page="/mine")
    assert done.url.path.startswith("/proposals/") and "已提交提案" in done.text
    code = done.url.path.rsplit("/", 1)[1]
    assert "增设教师休息室" in chat.text(MEMBER, f"#提案 {code}", private=True)
    mine = main(teacher.get("/mine").text)
    assert f'href="/proposals/{code}"' in mine and "增设教师休息室" in mine


def test_a_bad_proposal_keeps_every_field_and_submits_nothing(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    teacher = login(chat, web, MEMBER)
    bad = post(teacher, "/mine/proposal", {**PROPOSAL, "title": "", "suggestion": "建" * 1501}, page="/mine")
    page = main(bad.text)
    assert "未提交" in page and "请填写标题" in page and "建议最多 1500 字" in page
    assert "课间没有休息的地方" in page and "建" * 1501 in page
    assert count(chat.app.engine, Proposal) == 0


def test_the_collection_window_closes_the_proposal_form(tmp_path, db_url, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.web_root import build_web
    from tests.conftest import ChatDriver, make_config

    config = make_config(db_url, web={"base_url": "https://gh.example.edu.cn/"},
                         proposals={"min_cosigners": 0, "deadline": "2020-01-01"})
    app = build_app(config, clock)
    chat = ChatDriver(app, clock)
    web = build_web(config, clock, engine=app.engine)
    teacher = login(chat, web, MEMBER)
    page = main(teacher.get("/mine").text)
    assert "截止" in page and 'action="/mine/proposal"' not in page
    refused = post(teacher, "/mine/proposal", PROPOSAL, page="/mine")
    assert "截止" in refused.text and count(app.engine, Proposal) == 0


def test_a_teacher_files_a_request_sees_its_state_and_nobody_elses(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    theirs = file_request(chat)  # 李老师's, filed in chat
    teacher = login(chat, web, "王老师")
    form = teacher.get("/mine/request?kind=住院").text
    assert "医院" in form and "住院日期" in form and "天数" in form
    done = post(teacher, "/mine/request", STAY, page="/mine")
    assert done.url.path.startswith("/mine/requests/W") and "已提交住院申请" in done.text
    code = done.url.path.rsplit("/", 1)[1]
    assert "市第一人民医院" in done.text and "待受理" in done.text
    from storage.models import WelfareAudit

    before = count(chat.app.engine, WelfareAudit)
    assert code in main(teacher.get("/mine").text) and theirs not in main(teacher.get("/mine").text)
    assert count(chat.app.engine, WelfareAudit) == before  # the list is no read of a request
    # Another member's request: the page's 404, the same as a code that does not exist.
    for path in (f"/mine/requests/{theirs}", "/mine/requests/W2099-999", f"/welfare/{theirs}"):
        r = teacher.get(path)
        assert r.status_code == 404 and "页面不存在，或您无权查看" in r.text, path
    # The officer sees it on the desk, and was told through the outbox.
    officer = login(chat, web, OFFICER)
    assert "市第一人民医院" in officer.get(f"/welfare/{code}").text
    assert officer.get(f"/mine/requests/{code}").status_code == 200  # officers may read any request
    assert login(chat, web, ADMIN).get(f"/mine/requests/{code}").status_code == 404


def test_a_bad_request_keeps_every_field_and_files_nothing(env) -> None:  # type: ignore[no-untyped-def]
    chat, web = env
    teacher = login(chat, web, MEMBER)
    bad = post(teacher, "/mine/request", {**STAY, "f_住院日期": "三十二月", "f_天数": "很多"}, page="/mine")
    assert bad.url.path == "/mine/request"
    page = main(bad.text)
    assert "未提交" in page and "不是日期" in page and "天数应是数字" in page
    for value in ("市第一人民医院", "三十二月", "很多", "阑尾炎手术"):
        assert value in page, value
    assert count(chat.app.engine, WelfareRequest) == 0
    assert teacher.get("/mine/request?kind=没有这种").status_code == 404


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_attachments_are_sniffed_bounded_and_only_for_the_member_and_officers(env) -> None:  # type: ignore[no-untyped-def]
    from storage.models import WelfareAttachment, WelfareAudit

    chat, web = env
    teacher = login(chat, web, MEMBER)
    engine = chat.app.engine
    # A fake PDF (a renamed text file) is refused by its content, and the request with it: nothing filed.
    fake = post(teacher, "/mine/request", STAY, files={"file": ("出院小结.pdf", b"hello, not a pdf", "application/pdf")},
                page="/mine/request?kind=住院")
    assert "内容不是真正的 PDF 文件" in fake.text and "市第一人民医院" in main(fake.text)
    assert count(engine, WelfareRequest) == 0 and count(engine, WelfareAttachment) == 0
    big = post(teacher, "/mine/request", STAY, files={"file": ("发票.png", PNG + b"\0" * (5 * 1024 * 1024), "image/png")},
               page="/mine/request?kind=住院")
    assert "文件超过 5 MB" in big.text and count(engine, WelfareRequest) == 0
    exe = post(teacher, "/mine/request", STAY, files={"file": ("a.exe", b"MZ\x90\0", "application/octet-stream")},
               page="/mine/request?kind=住院")
    assert "只能上传 PDF、JPG 或 PNG 文件" in exe.text and count(engine, WelfareRequest) == 0
    done = post(teacher, "/mine/request", STAY, files={"file": ("出院小结.pdf", PDF, "application/pdf")},
                page="/mine/request?kind=住院")
    code = done.url.path.rsplit("/", 1)[1]
    assert "出院小结.pdf" in done.text and count(engine, WelfareAttachment) == 1
    # A second file later; a PNG named .jpg is refused (name and content must agree).
    wrong = post(teacher, f"/mine/requests/{code}/files", files={"file": ("发票.jpg", PNG, "image/jpeg")},
                 page=f"/mine/requests/{code}")
    assert "与内容（PNG）不符" in wrong.text and count(engine, WelfareAttachment) == 1
    added = post(teacher, f"/mine/requests/{code}/files", files={"file": ("发票.png", PNG, "image/png")},
                 page=f"/mine/requests/{code}")
    assert "已上传附件" in added.text and count(engine, WelfareAttachment) == 2
    link = re.search(rf'href="(/mine/requests/{code}/files/(\d+))"', added.text)
    assert link
    got = teacher.get(link.group(1))
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    # The officer may open it (and it is in the audit log); another teacher and the chair get the 404.
    officer = login(chat, web, OFFICER)
    before = count(engine, WelfareAudit, WelfareAudit.action == "查看附件")
    assert officer.get(link.group(1)).content == PDF
    assert count(engine, WelfareAudit, WelfareAudit.action == "查看附件") == before + 1
    for who in ("王老师", ADMIN):
        other = login(chat, web, who)
        assert other.get(link.group(1)).status_code == 404
        assert post(other, f"/mine/requests/{code}/files", files={"file": ("x.pdf", PDF, "application/pdf")},
                    page="/mine").status_code == 404
    assert count(engine, WelfareAttachment) == 2
    # A file id of another request is not there either.
    assert teacher.get(f"/mine/requests/W2099-001/files/{link.group(2)}").status_code == 404


def test_officers_open_a_requests_attachments_from_the_welfare_desk(env) -> None:  # type: ignore[no-untyped-def]
    from storage.models import WelfareAudit

    chat, web = env
    engine = chat.app.engine
    teacher = login(chat, web, MEMBER)
    done = post(teacher, "/mine/request", STAY, files={"file": ("出院小结.pdf", PDF, "application/pdf")},
                page="/mine/request?kind=住院")
    code = done.url.path.rsplit("/", 1)[1]
    other = post(teacher, "/mine/request", STAY, page="/mine/request?kind=住院").url.path.rsplit("/", 1)[1]
    officer = login(chat, web, OFFICER)
    desk = officer.get(f"/welfare/{code}").text
    link = re.search(rf'href="(/welfare/{code}/files/(\d+))"[^>]*>出院小结\.pdf</a>', desk)
    assert link, desk
    assert "申请人没有上传附件" in officer.get(f"/welfare/{other}").text
    opened = count(engine, WelfareAudit, WelfareAudit.action == "查看附件")
    got = officer.get(link.group(1))
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"] and got.headers["x-content-type-options"] == "nosniff"
    # One row per opening, naming the file; opening it is not logged again as a read of the request.
    assert count(engine, WelfareAudit, WelfareAudit.action == "查看附件") == opened + 1
    assert count(engine, WelfareAudit, WelfareAudit.action == "查看附件", WelfareAudit.detail == "出院小结.pdf",
                 WelfareAudit.request_code == code) == 1
    # Not another request's file, not for the chair, not through the desk for the member (their page has it).
    assert officer.get(f"/welfare/{other}/files/{link.group(2)}").status_code == 404
    for who in (ADMIN, MEMBER):
        assert login(chat, web, who).get(link.group(1)).status_code == 404
    assert count(engine, WelfareAudit, WelfareAudit.action == "查看附件") == opened + 1


def test_the_cosign_button_goes_once_used_and_once_the_proposal_takes_no_more(tmp_path, db_url, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.web_root import build_web
    from tests.conftest import ChatDriver, make_config
    from tests.test_web import COMMITTEE

    config = make_config(db_url, web={"base_url": "https://gh.example.edu.cn/"}, proposals={"min_cosigners": 2})
    app = build_app(config, clock)
    chat = ChatDriver(app, clock)
    web = build_web(config, clock, engine=app.engine)
    button = 'value="附议">附议</button>'
    done = post(login(chat, web, MEMBER), "/mine/proposal", PROPOSAL, page="/mine")
    code = done.url.path.rsplit("/", 1)[1]
    assert button not in done.text  # never to the proposer
    wang = login(chat, web, "王老师")
    assert button in wang.get(f"/proposals/{code}").text
    after = post(wang, f"/proposals/{code}/act", {"action": "附议"}, page=f"/proposals/{code}")
    assert "王老师" in after.text and button not in after.text and button not in wang.get(f"/proposals/{code}").text
    assert post(wang, f"/proposals/{code}/act", {"action": "附议"}, page=f"/proposals/{code}").status_code == 404
    post(login(chat, web, "张老师"), f"/proposals/{code}/act", {"action": "附议"}, page=f"/proposals/{code}")
    sun = login(chat, web, "孙老师")
    assert button in sun.get(f"/proposals/{code}").text  # 待审查 still takes co-signers
    post(login(chat, web, COMMITTEE), f"/proposals/{code}/act", {"action": "立案"}, page=f"/proposals/{code}")
    assert button not in sun.get(f"/proposals/{code}").text  # 立案: no more co-signers, so no button
    assert post(sun, f"/proposals/{code}/act", {"action": "附议"}, page=f"/proposals/{code}").status_code == 404


def test_my_signups_sign_up_change_family_and_note_and_cancel_on_the_page(env) -> None:  # type: ignore[no-untyped-def]
    from tests.test_web import plain

    chat, web = env
    chat.text(ADMIN, "#发起报名 春季踏青 时间=3月20日8:00 截止=3月18日17:00 家属=2")
    teacher = login(chat, web, MEMBER)
    assert "您还没有报名活动" in main(teacher.get("/mine").text)
    joined = post(teacher, "/signups/1/join", {"extra": "1", "note": "素食"}, page="/signups/1")
    assert "已报名" in joined.text or "报名成功" in joined.text
    assert 'id="change-signup"' in joined.text and 'value="素食"' in joined.text and "我要报名" not in joined.text
    mine = plain(main(teacher.get("/mine").text))
    assert '<a href="/signups/1">春季踏青</a>' in mine and "<td>1</td><td>素食</td>" in mine
    # 家属 and 备注 change in place (the chat's #报名 again), the place kept.
    changed = post(teacher, "/signups/1/join", {"extra": "2", "note": "一位家属素食"}, page="/signups/1")
    assert "备注" in changed.text and "带家属 2 人" in changed.text
    assert "<td>2</td><td>一位家属素食</td>" in plain(main(teacher.get("/mine").text))
    over = post(teacher, "/signups/1/join", {"extra": "5", "note": ""}, page="/signups/1")
    assert "最多可带家属 2 人" in over.text and "带家属 2 人，备注：一位家属素食" in over.text  # refused, unchanged
    signup = chat.app.services.signups.of_member(chat.app.services.members.find(MEMBER)[0].id)[0][1]
    assert (signup.extra, signup.note, signup.status) == (2, "一位家属素食", "confirmed")
    left = post(teacher, "/signups/1/leave", page="/signups/1")
    assert "已取消" in left.text and "我要报名" in left.text
    assert "您还没有报名活动" in main(teacher.get("/mine").text)


def test_the_proposer_rates_the_answer_on_the_page(env) -> None:  # type: ignore[no-untyped-def]
    from tests.test_web import COMMITTEE

    chat, web = env
    teacher = login(chat, web, MEMBER)
    code = post(teacher, "/mine/proposal", PROPOSAL, page="/mine").url.path.rsplit("/", 1)[1]
    rate = 'id="proposal-rate"'
    assert rate not in teacher.get(f"/proposals/{code}").text  # nothing to rate before an answer
    committee = login(chat, web, COMMITTEE)
    for action, text in (("立案", ""), ("交办", "总务处"), ("答复", "三楼空教室已改为休息室，下周启用。")):
        post(committee, f"/proposals/{code}/act", {"action": action, "text": text}, page=f"/proposals/{code}")
    assert rate not in committee.get(f"/proposals/{code}").text  # only the proposer rates
    assert post(committee, f"/proposals/{code}/act", {"action": "评价", "verdict": "满意"},
                page=f"/proposals/{code}").status_code == 404
    page = teacher.get(f"/proposals/{code}").text
    assert rate in page and all(f'value="{v}"' in page for v in ("满意", "基本满意", "不满意"))
    unchosen = post(teacher, f"/proposals/{code}/act", {"action": "评价", "note": "希望配饮水机"},
                    page=f"/proposals/{code}")
    assert "未提交" in unchosen.text and "满意、基本满意、不满意" in unchosen.text and "希望配饮水机" in unchosen.text
    rated = post(teacher, f"/proposals/{code}/act", {"action": "评价", "verdict": "基本满意", "note": "希望配饮水机"},
                 page=f"/proposals/{code}")
    assert "已评价" in rated.text and rate not in rated.text
    year, seq = map(int, code.split("-"))
    p = chat.app.services.proposals.find(year, seq)
    assert (p.status, p.evaluation, p.evaluation_note) == ("已评价", "基本满意", "希望配饮水机")
    assert post(teacher, f"/proposals/{code}/act", {"action": "评价", "verdict": "满意"},
                page=f"/proposals/{code}").status_code == 404  # rated once; a stale form changes nothing
    assert "基本满意" in main(teacher.get("/mine").text)
