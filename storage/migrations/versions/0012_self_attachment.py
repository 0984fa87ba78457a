"""self attachment: files a member attaches to a welfare request (office page, 我的申请)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 03:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'welfare_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('union_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('media', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['welfare_request.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('welfare_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_attachment_union_id'), ['union_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_welfare_attachment_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('welfare_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_attachment_request_id'))
        batch_op.drop_index(batch_op.f('ix_welfare_attachment_union_id'))
    op.drop_table('welfare_attachment')
