"""signup note (备注)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A default on the server, so rows written before this revision read as "no note".
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_column('note')
