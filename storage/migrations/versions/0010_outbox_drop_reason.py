"""outbox: why a post was dropped at sending time

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A default on the server, so rows written before this revision read as "not dropped".
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drop_reason', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False,
                                      server_default=''))
    # Posts the sender skipped before (status 'skipped', the why in last_error) are dropped posts too.
    op.execute("UPDATE outbox SET status = 'dropped', drop_reason = last_error WHERE status = 'skipped'")


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'skipped' WHERE status = 'dropped'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('drop_reason')
