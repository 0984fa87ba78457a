"""member remark (备注): the remark the bot's account gave a contact by hand

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:15:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A default on the server, so members met before this revision read as "no remark".
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remark', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('remark')
