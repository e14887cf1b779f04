"""courses: courses with a join code, their enrolled students, attempts in a course

Revision ID: 0002_courses
Revises: 0001_attempts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_courses"
down_revision = "0001_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("join_code", name="uq_courses_join_code"),
    )
    op.create_table(
        "enrolments",
        sa.Column("course_id", sa.String(36),
                  sa.ForeignKey("courses.id", name="fk_enrolments_course"), primary_key=True),
        sa.Column("student", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    # SQLite cannot add a foreign key to an existing table: batch mode rebuilds it
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("course_id", sa.String(36), nullable=True))
        batch.create_foreign_key("fk_attempts_course", "courses", ["course_id"], ["id"])
        batch.create_index("ix_attempts_course", ["course_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_index("ix_attempts_course")
        batch.drop_constraint("fk_attempts_course", type_="foreignkey")
        batch.drop_column("course_id")
    op.drop_table("enrolments")
    op.drop_table("courses")
