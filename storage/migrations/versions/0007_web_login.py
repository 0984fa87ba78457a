"""one-time login links for the office page

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_login',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('union_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_web_login_token')
    )
    with op.batch_alter_table('web_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_login_union_id'), ['union_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_login_union_id'))
    op.drop_table('web_login')
