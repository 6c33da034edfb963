"""resident activation codes for the phone app

A worker hands a resident a one-time 8-digit code; the resident enters it with
their phone number (and the last 4 ID digits) in the phone app and chooses a
password. Only the code's hash is kept.

Revision ID: 0004h
Revises: 0004e
Create Date: 2026-12-01 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004h'
down_revision = '0004e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activation_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=200), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('failed_count >= 0', name=op.f('ck_activation_codes_failed_count')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_activation_codes_district_id_districts')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_activation_codes_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_codes'))
    )
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.create_index('ix_activation_codes_resident_id', ['resident_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_activation_codes_resident_id')

    op.drop_table('activation_codes')
