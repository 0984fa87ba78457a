"""Files kept with a record: a welfare request's attachments (a discharge summary, an invoice).
Kept in the database with the request, so a backup of the database is a backup of everything a member
gave; storage/models.py re-exports the table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from storage.models_core import utcnow


class WelfareAttachment(SQLModel, table=True):
    __tablename__ = "welfare_attachment"

    id: int | None = Field(default=None, primary_key=True)
    union_id: str = Field(index=True, max_length=64)
    request_id: int = Field(foreign_key="welfare_request.id", index=True)
    name: str = Field(max_length=100)  # as uploaded, without a path
    media: str = Field(max_length=32)  # what its content is (sniffed), never what the browser said
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(default="", max_length=128)  # contact id
    uploaded_at: dt.datetime = Field(default_factory=utcnow)
