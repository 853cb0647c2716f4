"""Sync packages (issue 7): trusted keys, packages sent and applied, per-record sync state.

Also gives sponsors a commune at an upstream office, which holds the sponsors of many communes.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_peer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sign_key', sa.String(length=64), nullable=False),
    sa.Column('box_key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=40), nullable=False),
    sa.Column('trusted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('role', 'code', name='uq_sync_peer_code')
    )
    op.create_table('sync_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('acked_at', sa.DateTime(), nullable=True),
    sa.Column('file_name', sa.String(length=260), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('direction', 'commune_code', 'sequence', name='uq_sync_package_sequence')
    )
    op.create_index('ix_sync_package_sha256', 'sync_package', ['sha256'], unique=False)
    op.create_table('sync_state',
    sa.Column('uuid', sa.String(length=32), nullable=False),
    sa.Column('record_type', sa.String(length=30), nullable=False),
    sa.Column('sent_revision', sa.Integer(), nullable=True),
    sa.Column('sent_sequence', sa.Integer(), nullable=True),
    sa.Column('accepted_revision', sa.Integer(), nullable=True),
    sa.Column('rejected_revision', sa.Integer(), nullable=True),
    sa.Column('rejected_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('uuid')
    )
    with op.batch_alter_table('sponsor') as batch:
        batch.add_column(sa.Column('commune_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_sponsor_commune', 'commune', ['commune_id'], ['id'])
        batch.create_index('ix_sponsor_commune', ['commune_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sponsor') as batch:
        batch.drop_index('ix_sponsor_commune')
        batch.drop_constraint('fk_sponsor_commune', type_='foreignkey')
        batch.drop_column('commune_id')
    op.drop_table('sync_state')
    op.drop_index('ix_sync_package_sha256', table_name='sync_package')
    op.drop_table('sync_package')
    op.drop_table('sync_peer')
