"""Review decisions linked, not guessed (issue 4): an application and a list entry name the decision
that decided them.

Existing rows are filled once from what could be known before: an entry decided with its round's
decision; a recognised application with the decision of that day whose round lists its household.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review_application') as batch:
        batch.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_review_application_decision', 'decision', ['decision_id'], ['id'])
    with op.batch_alter_table('review_entry') as batch:
        batch.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_review_entry_decision', 'decision', ['decision_id'], ['id'])
    op.execute("""
        UPDATE review_entry SET decision_id = (
            SELECT d.id FROM decision d WHERE d.round_id = review_entry.round_id AND d.deleted_at IS NULL
            ORDER BY d.id DESC LIMIT 1)
        WHERE state = 'decided'""")
    op.execute("""
        UPDATE review_application SET decision_id = (
            SELECT d.id FROM decision d JOIN review_entry e ON e.round_id = d.round_id
            WHERE e.household_id = review_application.household_id AND e.deleted_at IS NULL
              AND d.deleted_at IS NULL AND d.decided_on = review_application.decided_on
            ORDER BY d.id DESC LIMIT 1)
        WHERE outcome = 'recognised'""")


def downgrade() -> None:
    with op.batch_alter_table('review_entry') as batch:
        batch.drop_constraint('fk_review_entry_decision', type_='foreignkey')
        batch.drop_column('decision_id')
    with op.batch_alter_table('review_application') as batch:
        batch.drop_constraint('fk_review_application_decision', type_='foreignkey')
        batch.drop_column('decision_id')
