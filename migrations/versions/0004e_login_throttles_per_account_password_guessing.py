"""login_throttles: wrong passwords counted per sign-in name, in the database

The only limit on password guessing was per client address and per process
(memory storage): 14–20 guesses a minute got through and five addresses
guessed 50 times at one account. Counting per name in the database holds
across every API process and every address.

Revision ID: 0004e
Revises: 0003
Create Date: 2026-12-01 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004e'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(), nullable=True),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.CheckConstraint('failed_count >= 0', name=op.f('ck_login_throttles_failed_count')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )


def downgrade():
    op.drop_table('login_throttles')
