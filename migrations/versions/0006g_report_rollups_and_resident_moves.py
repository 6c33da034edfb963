"""report roll-ups: monthly points and records per village, their watermark, and residents' moves

The reports read these plus the rows after the watermark (refreshed by ``flask jobs run``); the move log
lets a resident's history follow them to a new village; a small partial index finds repaired records
that were voided later.

Revision ID: 0006g
Revises: 0005n
Create Date: 2026-12-01 03:05:37.014554

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006g'
down_revision = '0005n'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_rollup_states',
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('move_id', sa.BigInteger(), nullable=False),
    sa.Column('offset_minutes', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_rollup_states_district_id_districts')),
    sa.PrimaryKeyConstraint('district_id', name=op.f('pk_report_rollup_states'))
    )
    op.create_table('report_points_monthly',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_report_points_monthly_direction')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_report_points_monthly_community_id_communities')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_points_monthly_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_points_monthly')),
    sa.UniqueConstraint('district_id', 'community_id', 'month', 'kind', 'direction', name=op.f('uq_report_points_monthly_district_id_community_id_month_kind_direction'))
    )
    op.create_table('report_records_monthly',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('good', sa.BigInteger(), nullable=False),
    sa.Column('bad', sa.BigInteger(), nullable=False),
    sa.Column('good_points', sa.BigInteger(), nullable=False),
    sa.Column('bad_points', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_report_records_monthly_community_id_communities')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_records_monthly_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_records_monthly')),
    sa.UniqueConstraint('district_id', 'community_id', 'month', 'category', name=op.f('uq_report_records_monthly_district_id_community_id_month_category'))
    )
    op.create_table('resident_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('from_community_id', sa.Integer(), nullable=False),
    sa.Column('to_community_id', sa.Integer(), nullable=False),
    sa.Column('moved_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('from_community_id <> to_community_id', name=op.f('ck_resident_moves_moved')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_resident_moves_district_id_districts')),
    sa.ForeignKeyConstraint(['from_community_id'], ['communities.id'], name=op.f('fk_resident_moves_from_community_id_communities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_resident_moves_resident_id_residents')),
    sa.ForeignKeyConstraint(['to_community_id'], ['communities.id'], name=op.f('fk_resident_moves_to_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_moves'))
    )
    with op.batch_alter_table('resident_moves', schema=None) as batch_op:
        batch_op.create_index('ix_resident_moves_district_id', ['district_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_moves_resident_id'), ['resident_id'], unique=False)

    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.create_index('ix_credit_records_voided_repaired', ['community_id'], unique=False, postgresql_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"), sqlite_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"))



def downgrade():
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_records_voided_repaired', postgresql_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"), sqlite_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"))

    with op.batch_alter_table('resident_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_moves_resident_id'))
        batch_op.drop_index('ix_resident_moves_district_id')

    op.drop_table('resident_moves')
    op.drop_table('report_records_monthly')
    op.drop_table('report_points_monthly')
    op.drop_table('report_rollup_states')
