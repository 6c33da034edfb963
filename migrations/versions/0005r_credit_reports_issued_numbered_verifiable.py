"""credit_reports: the credit reports (信用报告) issued, numbered per district, with what they said

A resident asks for a credit report for a loan, a job or a tender; the centre
issues it with a number and a QR code that verifies it. What was issued is
kept (the headline numbers as a JSON snapshot), so the verification page shows
the numbers as printed, not today's.

Revision ID: 0005r
Revises: 0004h
Create Date: 2026-12-01 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005r'
down_revision = '0004h'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('subject_type', sa.String(length=10), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('nonce', sa.String(length=16), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.CheckConstraint('seq > 0', name=op.f('ck_credit_reports_seq')),
    sa.CheckConstraint("(subject_type = 'resident' AND resident_id IS NOT NULL AND household_id IS NULL) OR "
                       "(subject_type = 'household' AND household_id IS NOT NULL AND resident_id IS NULL)",
                       name=op.f('ck_credit_reports_one_subject')),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_credit_reports_period')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_credit_reports_community_id_communities')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_credit_reports_district_id_districts')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_credit_reports_household_id_households')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_credit_reports_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_reports')),
    sa.UniqueConstraint('district_id', 'number', name=op.f('uq_credit_reports_district_id_number')),
    sa.UniqueConstraint('district_id', 'seq', name=op.f('uq_credit_reports_district_id_seq'))
    )
    with op.batch_alter_table('credit_reports', schema=None) as batch_op:
        batch_op.create_index('ix_credit_reports_district_community', ['district_id', 'community_id'], unique=False)
        batch_op.create_index('ix_credit_reports_household', ['household_id'], unique=False)
        batch_op.create_index('ix_credit_reports_resident', ['resident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('credit_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_reports_resident')
        batch_op.drop_index('ix_credit_reports_household')
        batch_op.drop_index('ix_credit_reports_district_community')
    op.drop_table('credit_reports')
