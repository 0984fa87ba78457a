"""The Node gateway with a staff of mock teachers, for end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.botproc import BOT, BotProcess
from tests.gateway_harness import Gateway, gateway_available
from tests.pg_cluster import fresh_database

ROOM = "20001234@chatroom"
TEACHERS = [(f"t-{i:02d}", f"老师{i:02d}") for i in range(1, 21)]


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """A failed test (an assertion before its own clean-up) leaves no bot or gateway running."""
    yield
    BotProcess.stop_all()
    Gateway.stop_all()


def require_gateway() -> None:
    why = gateway_available()
    if why:
        if os.environ.get("UNIONBOT_REQUIRE_GATEWAY"):
            pytest.fail(why)
        pytest.skip(why)


def populate(gw: Gateway, room: str = ROOM) -> Gateway:
    """The staff, the bot's login and the all-staff room (again, after a gateway restart)."""
    people = [("t-li", "李老师"), ("t-wang", "王老师"), ("admin-zhao", "赵主席"), *TEACHERS]
    for cid, name in people:
        gw.send(op="contact", id=cid, name=name)
    gw.send(op="login", id=BOT, name="工会助手")
    gw.send(op="room", id=room, topic="全体教职工群", members=[cid for cid, _ in people] + [BOT])
    return gw


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    require_gateway()
    gw = Gateway()
    gw.start()
    populate(gw)
    yield gw
    gw.stop()


def add_rooms(gw: Gateway, count: int, prefix: str = "年级组") -> list[tuple[str, str]]:
    rooms = [(f"{30000000 + i}@chatroom", f"{prefix}{i:03d}") for i in range(count)]
    for rid, topic in rooms:
        gw.send(op="room", id=rid, topic=topic, members=["admin-zhao", "t-li", BOT])
    return rooms


@pytest.fixture
def pg_url(pg_cluster) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if pg_cluster is None:
        pytest.skip("PostgreSQL not available")
    with fresh_database(pg_cluster) as url:
        yield url
