"""desk payout: how a welfare payment was made (发放方式), recorded at the 发放 step

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 03:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('welfare_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pay_method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('welfare_request', schema=None) as batch_op:
        batch_op.drop_column('pay_method')
