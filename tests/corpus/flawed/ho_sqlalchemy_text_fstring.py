from sqlalchemy import text
from sqlalchemy.orm import Session


class ReportRepository:
    """Ad-hoc reporting queries for the analytics dashboard."""

    def __init__(self, session: Session):
        self.session = session

    def revenue_by(self, dimension: str, since: str) -> list[tuple[str, int]]:
        rows = self.session.execute(
            text(f"SELECT {dimension}, sum(total_cents) FROM orders WHERE created_at >= '{since}' GROUP BY {dimension}")
        )
        return [(r[0], r[1]) for r in rows]

    def customers(self) -> int:
        return self.session.execute(text("SELECT count(*) FROM customers")).scalar_one()
