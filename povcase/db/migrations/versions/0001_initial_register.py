"""The initial register: communes, hamlets, households, members, assessments, audit log, search.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 12:56:49.651748
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('record_type', sa.String(length=30), nullable=False),
    sa.Column('record_uuid', sa.String(length=32), nullable=True),
    sa.Column('field', sa.String(length=60), nullable=True),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_record', ['record_uuid'], unique=False)

    op.create_table('commune',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('province_name', sa.String(length=120), nullable=False),
    sa.Column('upstream_office', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('uuid')
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('hamlet',
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sort_key', sa.String(length=400), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('hamlet', schema=None) as batch_op:
        batch_op.create_index('ix_hamlet_commune', ['commune_id'], unique=False)

    op.create_table('household',
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('hamlet_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('head_name', sa.String(length=120), nullable=False),
    sa.Column('head_sort', sa.String(length=800), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('area', sa.String(length=8), nullable=False),
    sa.Column('ethnicity_group', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('house_area_m2', sa.Float(), nullable=True),
    sa.Column('house_quality', sa.String(length=16), nullable=True),
    sa.Column('safe_water', sa.Boolean(), nullable=True),
    sa.Column('hygienic_latrine', sa.Boolean(), nullable=True),
    sa.Column('uses_telecom', sa.Boolean(), nullable=True),
    sa.Column('has_information_device', sa.Boolean(), nullable=True),
    sa.Column('hears_loudspeaker', sa.Boolean(), nullable=True),
    sa.Column('waste_treated', sa.Boolean(), nullable=True),
    sa.Column('overrides', sa.Text(), nullable=False),
    sa.Column('members_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('status_standard', sa.String(length=9), nullable=True),
    sa.Column('status_year', sa.Integer(), nullable=True),
    sa.Column('score_b', sa.Integer(), nullable=True),
    sa.Column('deprived', sa.String(length=300), nullable=False),
    sa.Column('last_assessed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.ForeignKeyConstraint(['hamlet_id'], ['hamlet.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commune_id', 'code', name='uq_household_code'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index('ix_household_hamlet', ['hamlet_id'], unique=False)
        batch_op.create_index('ix_household_head_sort', ['head_sort'], unique=False)
        batch_op.create_index('ix_household_status', ['status_year', 'status'], unique=False)

    op.create_table('assessment',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('standard', sa.String(length=9), nullable=False),
    sa.Column('area', sa.String(length=8), nullable=False),
    sa.Column('income_per_capita', sa.Integer(), nullable=True),
    sa.Column('score_a', sa.Integer(), nullable=True),
    sa.Column('score_b', sa.Integer(), nullable=False),
    sa.Column('deprivation_count', sa.Integer(), nullable=False),
    sa.Column('classification', sa.String(length=16), nullable=False),
    sa.Column('basis', sa.String(length=8), nullable=False),
    sa.Column('indicators', sa.Text(), nullable=False),
    sa.Column('members_count', sa.Integer(), nullable=False),
    sa.Column('assessor', sa.String(length=120), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_household', ['household_id', 'assessed_on'], unique=False)

    op.create_table('member',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('name_sort', sa.String(length=800), nullable=False),
    sa.Column('sex', sa.String(length=6), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('id_number', sa.String(length=12), nullable=True),
    sa.Column('ethnicity', sa.String(length=40), nullable=False),
    sa.Column('in_school', sa.Boolean(), nullable=True),
    sa.Column('qualification', sa.String(length=16), nullable=True),
    sa.Column('employment', sa.String(length=24), nullable=True),
    sa.Column('able_to_work', sa.Boolean(), nullable=False),
    sa.Column('has_health_insurance', sa.Boolean(), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('social_allowance', sa.Boolean(), nullable=False),
    sa.Column('stunted_or_underweight', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_household', ['household_id'], unique=False)
        batch_op.create_index('ix_member_id_number', ['id_number'], unique=False)
    # Diacritic-free search: folded text per household (see povcase/services/search.py). Prefix indexes
    # of 2 and 3 letters keep as-you-type queries ("ng", "ngu") fast; no phrase queries, so column-level
    # detail is enough.
    op.execute("CREATE VIRTUAL TABLE household_search USING fts5(text, tokenize='unicode61', "
               "detail='column', prefix='2 3')")


def downgrade() -> None:
    op.execute("DROP TABLE household_search")
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_id_number')
        batch_op.drop_index('ix_member_household')

    op.drop_table('member')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_household')

    op.drop_table('assessment')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index('ix_household_status')
        batch_op.drop_index('ix_household_head_sort')
        batch_op.drop_index('ix_household_hamlet')

    op.drop_table('household')
    with op.batch_alter_table('hamlet', schema=None) as batch_op:
        batch_op.drop_index('ix_hamlet_commune')

    op.drop_table('hamlet')
    op.drop_table('setting')
    op.drop_table('commune')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_record')

    op.drop_table('audit_log')
