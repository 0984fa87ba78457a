"""schedule items remember a hand edit, so a re-imported plan keeps it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A default on the server: rows written before this revision read as "not edited by hand".
    with op.batch_alter_table('schedule_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('schedule_item', schema=None) as batch_op:
        batch_op.drop_column('edited')
