"""announcements: notices (公告) to a community or the whole district

Shown on the phone app's home and on the kiosk's welcome screen from publish_at until expire_at
unless withdrawn; never deleted.

Revision ID: 0005n
Revises: 0005r
Create Date: 2026-12-01 00:56:54

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005n'
down_revision = '0005r'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=True),
    sa.Column('publish_at', sa.DateTime(), nullable=False),
    sa.Column('expire_at', sa.DateTime(), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(scope = 'community' AND community_id IS NOT NULL) OR (scope = 'district' AND community_id IS NULL)", name=op.f('ck_announcements_scope_community')),
    sa.CheckConstraint("scope IN ('community', 'district')", name=op.f('ck_announcements_scope')),
    sa.CheckConstraint('expire_at IS NULL OR expire_at > publish_at', name=op.f('ck_announcements_expires_after_publish')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_announcements_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_announcements_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_announcements_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_announcements_district_publish', ['district_id', 'publish_at'], unique=False)



def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_district_publish')
        batch_op.drop_index(batch_op.f('ix_announcements_community_id'))

    op.drop_table('announcements')
