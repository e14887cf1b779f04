"""attempts: graded exercise attempts

Revision ID: 0001_attempts
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_attempts"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("student", sa.String(100), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.JSON(), nullable=False),
        sa.Column("marks", sa.Float(), nullable=False),
        sa.Column("max_marks", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("student", "idempotency_key", name="uq_attempts_student_key"),
    )
    op.create_index("ix_attempts_exercise", "attempts", ["exercise_id", "created_at"])
    op.create_index("ix_attempts_student", "attempts", ["student", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_attempts_student", table_name="attempts")
    op.drop_index("ix_attempts_exercise", table_name="attempts")
    op.drop_table("attempts")
