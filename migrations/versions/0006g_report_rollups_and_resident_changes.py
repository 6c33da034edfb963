"""report roll-ups: monthly points and records per village, residents' summaries, their watermarks, and
the log of residents' changes

The reports read these plus the rows after the watermark (refreshed by ``flask jobs run``); the change log
lets a resident's history follow them to a new village and tells which summaries are out of date; a small
partial index finds repaired records that were voided later.

Revision ID: 0006g
Revises: 0005n
Create Date: 2026-12-01 03:14:08.104140

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
    sa.Column('change_id', sa.BigInteger(), nullable=False),
    sa.Column('resident_id', sa.BigInteger(), nullable=False),
    sa.Column('months_base', sa.Integer(), nullable=True),
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
    op.create_table('report_resident_summaries',
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('score_delta', sa.BigInteger(), nullable=False),
    sa.Column('months', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_report_resident_summaries_community_id_communities')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_resident_summaries_district_id_districts')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_report_resident_summaries_household_id_households')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_report_resident_summaries_resident_id_residents')),
    sa.PrimaryKeyConstraint('district_id', 'resident_id', name=op.f('pk_report_resident_summaries'))
    )
    op.create_table('resident_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('from_community_id', sa.Integer(), nullable=False),
    sa.Column('to_community_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=10), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_resident_changes_district_id_districts')),
    sa.ForeignKeyConstraint(['from_community_id'], ['communities.id'], name=op.f('fk_resident_changes_from_community_id_communities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_resident_changes_resident_id_residents')),
    sa.ForeignKeyConstraint(['to_community_id'], ['communities.id'], name=op.f('fk_resident_changes_to_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_changes'))
    )
    with op.batch_alter_table('resident_changes', schema=None) as batch_op:
        batch_op.create_index('ix_resident_changes_district_id', ['district_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_changes_resident_id'), ['resident_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        # the backlog report reads the oldest pending record's time from the index (index-only scan)
        op.drop_index('ix_credit_records_community_status', table_name='credit_records')
        op.create_index('ix_credit_records_community_status', 'credit_records', ['community_id', 'status', 'id'],
                        unique=False, postgresql_include=['created_at'])
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.create_index('ix_credit_records_voided_repaired', ['community_id'], unique=False, postgresql_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"), sqlite_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"))



def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_credit_records_community_status', table_name='credit_records')
        op.create_index('ix_credit_records_community_status', 'credit_records', ['community_id', 'status', 'id'],
                        unique=False)
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_records_voided_repaired', postgresql_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"), sqlite_where=sa.text("status = 'voided' AND repaired_at IS NOT NULL"))

    with op.batch_alter_table('resident_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_changes_resident_id'))
        batch_op.drop_index('ix_resident_changes_district_id')

    op.drop_table('resident_changes')
    op.drop_table('report_resident_summaries')
    op.drop_table('report_records_monthly')
    op.drop_table('report_points_monthly')
    op.drop_table('report_rollup_states')
