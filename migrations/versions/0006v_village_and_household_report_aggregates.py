"""village and household aggregates for the reports: active residents per (village, star level) with their scores' sum and per (village,
last good month), and one row per household (members, score sum, lowest), kept by ``flask jobs run``

The resident summaries are emptied and their watermark reset, so the next run rebuilds them together with
the new aggregates; until then the villages and households reports compute every resident live (exact).

Revision ID: 0006v
Revises: 0006g
Create Date: 2026-12-01 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006v'
down_revision = '0006g'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_village_scores',
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('residents', sa.BigInteger(), nullable=False),
    sa.Column('score_sum', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_report_village_scores_community_id_communities')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_village_scores_district_id_districts')),
    sa.PrimaryKeyConstraint('district_id', 'community_id', 'stars', name=op.f('pk_report_village_scores'))
    )
    op.create_table('report_village_participation',
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('last_month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('residents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_report_village_participation_community_id_communities')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_village_participation_district_id_districts')),
    sa.PrimaryKeyConstraint('district_id', 'community_id', 'last_month', name=op.f('pk_report_village_participation'))
    )
    op.create_table('report_household_summaries',
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.BigInteger(), nullable=False),
    sa.Column('lowest', sa.BigInteger(), nullable=False),
    sa.Column('average', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_report_household_summaries_district_id_districts')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_report_household_summaries_household_id_households')),
    sa.PrimaryKeyConstraint('district_id', 'household_id', name=op.f('pk_report_household_summaries'))
    )
    with op.batch_alter_table('report_household_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_report_household_summaries_average', ['district_id', 'average'], unique=False)
    with op.batch_alter_table('report_rollup_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy_key', sa.String(length=200), nullable=True))
    with op.batch_alter_table('report_resident_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_report_resident_summaries_community', ['district_id', 'community_id'], unique=False)
        batch_op.create_index('ix_report_resident_summaries_household', ['district_id', 'household_id'], unique=False)
    # summaries made before the aggregates existed: rebuilt (with them) by the next run of the job
    op.execute("DELETE FROM report_resident_summaries")
    op.execute("UPDATE report_rollup_states SET resident_id = 0, months_base = NULL")


def downgrade():
    with op.batch_alter_table('report_resident_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_report_resident_summaries_household')
        batch_op.drop_index('ix_report_resident_summaries_community')
    with op.batch_alter_table('report_rollup_states', schema=None) as batch_op:
        batch_op.drop_column('policy_key')
    with op.batch_alter_table('report_household_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_report_household_summaries_average')
    op.drop_table('report_household_summaries')
    op.drop_table('report_village_participation')
    op.drop_table('report_village_scores')
