"""A file named .docx that is not one (issue 27, item 7): in chat, on the command line and on the office page
the chair is told what the file is and what to send instead — never "处理时出错了" and a BadZipFile."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from bot.app import App
from handlers.base import Attachment
from schedules.plan_import import PlanReadError, read_plan_bytes
from tests import test_web as web
from tests.conftest import REPO, ChatDriver

env = web.env  # the office page on a fake clock, set up as tests/test_web.py does


def _real_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("三月份：1、三八节活动")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


FAKES = [
    ("plan.docx", "三月份：1、三八节活动\n".encode(), "内容是纯文本"),
    ("plan.docx", "三月份：1、三八节活动\n".encode("gb18030"), "内容是纯文本"),
    ("plan.docx", b"<html xmlns:o='urn:schemas-microsoft-com:office:office'><body>x</body></html>", "网页"),
    ("plan.docx", _real_docx()[:300], "已损坏或不完整"),  # a zip cut short: BadZipFile before
    ("plan.docx", bytes(range(256)) * 4, "不是 Word 文档"),
    ("plan.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "旧版 Word（.doc）"),  # an old .doc renamed
]


@pytest.mark.parametrize(("name", "data", "says"), FAKES, ids=["text", "gb18030-text", "html", "cut-zip", "binary", "old-doc"])
def test_a_fake_docx_in_chat_says_what_it_is(chat: ChatDriver, app: App, name: str, data: bytes, says: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(PlanReadError, match=says.replace("(", r"\(").replace(")", r"\)")):
        read_plan_bytes(data, name)
    chat.text("王主席", "#导入计划", private=True)
    chat.console.speaker_id = chat.console.speaker_name = "王主席"
    chat.console.private = True
    with caplog.at_level(logging.ERROR):
        out = chat.console.say("", Attachment(name, data))
    assert says in out[0].text and "出错" not in out[0].text and (".docx" in out[0].text or ".txt" in out[0].text)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert app.services.schedule.list() == []
    assert "三八" in chat.text("王主席", "三月份：1、三八节活动", private=True)  # the form still waits for the plan


def test_a_fake_docx_on_the_command_line_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(_real_docx()[:300])
    r = subprocess.run([sys.executable, "-m", "bot.cli", "plan", "import", str(path), "--dry-run", "--json"],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and "已损坏或不完整" in r.stderr and "Traceback" not in r.stderr


def test_a_fake_docx_on_the_page(env) -> None:  # type: ignore[no-untyped-def]
    chat, app = env
    admin = web.login(chat, app, web.ADMIN)
    page = web.post(admin, "/schedule/import", files={"file": ("plan.docx", "三月份：1、三八节\n".encode(), "application/msword")},
                    page="/schedule")
    assert "内容是纯文本" in page.text and "出错" not in page.text
    assert chat.app.services.schedule.list() == []
