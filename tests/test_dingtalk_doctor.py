"""`unionbot doctor` and `unionbot status` on DingTalk, as subprocesses against the fake DingTalk."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import load_config
from bot.dingtalk.api import DingTalkApi
from bot.dingtalk.meter import MonthlyMeter
from storage.leader import LeaderLock
from tests.fake_dingtalk import CLIENT_ID, CLIENT_SECRET, FakeDingTalk
from tests.test_cli import unionbot


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    f = FakeDingTalk().start()
    f.add_department(2, "语文组")
    f.add_user("u-li", "李老师", dept_id=2)
    f.add_user("u-zhao", "赵委员", dept_id=2)
    yield f
    f.stop()


def setup(tmp_path: Path, fake: FakeDingTalk, secret: str = CLIENT_SECRET, admins: str = '["u-li"]') -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[union]\nid = "ding-school"\n[database]\nurl = "sqlite:///{tmp_path}/bot.db"\n'
        f'[dingtalk]\nclient_id = "{CLIENT_ID}"\nclient_secret = "{secret}"\n'
        f'api_base = "{fake.base}"\noapi_base = "{fake.base}"\n'
        f'[roles]\nadmins = {admins}\nwelfare_officers = ["u-zhao"]\n'
        '[[groups]]\ntopic = "全体教职工群"\n[[groups]]\ntopic = "退休教师群"\n', encoding="utf-8")
    return path


def test_doctor_and_status_on_a_good_setup(tmp_path: Path, fake: FakeDingTalk) -> None:
    config = setup(tmp_path, fake)
    assert unionbot("members", "sync", "--config", str(config), cwd=tmp_path).returncode == 0
    app = build_app(load_config(config), FakeClock(dt.datetime.now(dt.UTC)))
    cid = fake.add_group("全体教职工群")
    app.services.settings.put("room:全体教职工群", cid)  # what the transport keeps on hearing the group
    api = DingTalkApi.from_config(app.config, meter=MonthlyMeter(app.services.settings))
    api.send_group(cid, "一")
    api.send_users(["u-li"], "二")

    r = unionbot("doctor", "--json", "--config", str(config), cwd=tmp_path)
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert r.returncode == 0, r.stdout
    assert checks["钉钉凭证"]["status"] == "ok" and checks["钉钉通讯录"]["status"] == "ok"
    assert checks["群 退休教师群"]["status"] == "warn" and "在该群 @工会助手 一次即可绑定" in checks["群 退休教师群"]["fix"]
    assert "全体教职工群" in checks["群"]["detail"] and checks["角色"]["status"] == "ok"
    assert checks["钉钉连接"]["status"] == "warn" and "没有在运行" in checks["钉钉连接"]["detail"]

    r = unionbot("status", "--json", "--config", str(config), cwd=tmp_path)
    st = json.loads(r.stdout)
    assert st["platform"] == "dingtalk" and st["groups_not_found"] == ["退休教师群"]
    assert st["dingtalk"]["metered_calls"] == 2 and st["dingtalk"]["monthly_quota"] == 5000
    assert st["dingtalk"]["directory_synced_at"]
    text = unionbot("status", "--config", str(config), cwd=tmp_path).stdout
    assert "钉钉本月计量调用：2/5000" in text and "退休教师群" in text and "@工会助手 一次即可绑定" in text


def test_doctor_on_a_broken_setup(tmp_path: Path, fake: FakeDingTalk) -> None:
    config = setup(tmp_path, fake, secret="wrong")
    r = unionbot("doctor", "--json", "--config", str(config), cwd=tmp_path)
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert r.returncode == 1
    assert checks["钉钉凭证"]["status"] == "fail" and "凭证与基础信息" in checks["钉钉凭证"]["fix"]

    # Good credentials, but a role names nobody, and another process holds the stream's lock without a heartbeat.
    config = setup(tmp_path, fake, admins='["u-li", "wang"]')
    assert unionbot("members", "sync", "--config", str(config), cwd=tmp_path).returncode == 0
    app = build_app(load_config(config), FakeClock(dt.datetime.now(dt.UTC)))
    lock = LeaderLock(app.engine, app.config.union_id)
    assert lock.try_acquire()
    try:
        r = unionbot("doctor", "--json", "--config", str(config), cwd=tmp_path)
    finally:
        lock.release()
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert r.returncode == 1 and checks["角色 admins"]["status"] == "fail" and "wang" in checks["角色 admins"]["detail"]
    assert checks["钉钉连接"]["status"] == "warn" and "另一个进程持有" in checks["钉钉连接"]["detail"]
