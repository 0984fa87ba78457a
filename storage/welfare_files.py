"""A welfare request's attachments. Who may read them is the desk's question (storage.welfare.WelfareDesk
.view, which also writes the audit log): callers look the request up there first and pass it here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import WelfareAttachment, WelfareRequest

MAX_FILES = 10  # per request: enough for a summary, invoices and a certificate


@dataclass(frozen=True)
class FileInfo:
    id: int
    name: str
    media: str
    size: int
    uploaded_at: dt.datetime


class WelfareFiles:
    def __init__(self, engine: Engine, union_id: str) -> None:
        self.engine = engine
        self.union_id = union_id

    def add(self, req: WelfareRequest, name: str, media: str, data: bytes, by: str, now: dt.datetime) -> str:
        """'ok' | 'full' (the request has ``MAX_FILES`` already)."""
        if len(self.of(req)) >= MAX_FILES:
            return "full"
        with session_scope(self.engine) as s:
            s.add(WelfareAttachment(union_id=self.union_id, request_id=req.id, name=name[:100], media=media,
                                    size=len(data), data=data, uploaded_by=by[:128], uploaded_at=now))
        return "ok"

    def of(self, req: WelfareRequest) -> list[FileInfo]:
        """What is attached, without the contents."""
        a = WelfareAttachment
        with session_scope(self.engine) as s:
            rows = s.exec(select(a.id, a.name, a.media, a.size, a.uploaded_at)
                          .where(a.union_id == self.union_id, a.request_id == req.id).order_by(col(a.id))).all()
            return [FileInfo(*row) for row in rows]

    def get(self, req: WelfareRequest, file_id: int) -> WelfareAttachment | None:
        """The file, only when it belongs to ``req`` (an id of another request's file is not there)."""
        with session_scope(self.engine) as s:
            return s.exec(select(WelfareAttachment).where(
                WelfareAttachment.union_id == self.union_id, WelfareAttachment.request_id == req.id,
                WelfareAttachment.id == file_id)).first()
