"""partial indexes: merchants' records, records in notice

Both indexes served a small part of credit_records but held every row: 97 % of
records belong to residents (merchant_id NULL) and only the records in notice
have a notice end the job looks for. Partial, they are a few per cent of their
old size, cost nothing on a resident's new record, and take seconds, not ten
minutes, to rebuild at 20 million records.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

MERCHANTS = sa.text("merchant_id IS NOT NULL")
IN_NOTICE = sa.text("status = 'in_notice'")


def upgrade():
    op.drop_index('ix_credit_records_merchant_id', table_name='credit_records')
    op.drop_index('ix_credit_records_status_notice_ends', table_name='credit_records')
    op.create_index('ix_credit_records_merchant_id', 'credit_records', ['merchant_id', 'id'], unique=False,
                    postgresql_where=MERCHANTS, sqlite_where=MERCHANTS)
    op.create_index('ix_credit_records_in_notice_ends', 'credit_records', ['notice_ends_at'], unique=False,
                    postgresql_where=IN_NOTICE, sqlite_where=IN_NOTICE)


def downgrade():
    op.drop_index('ix_credit_records_in_notice_ends', table_name='credit_records')
    op.drop_index('ix_credit_records_merchant_id', table_name='credit_records')
    op.create_index('ix_credit_records_status_notice_ends', 'credit_records', ['status', 'notice_ends_at'],
                    unique=False)
    op.create_index('ix_credit_records_merchant_id', 'credit_records', ['merchant_id', 'id'], unique=False)
