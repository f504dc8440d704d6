from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

orders = table("orders", column("region"), column("channel"), column("total_cents"), column("created_at"))
DIMENSIONS = {"region": orders.c.region, "channel": orders.c.channel}


class ReportRepository:
    """Ad-hoc reporting queries for the analytics dashboard."""

    def __init__(self, session: Session):
        self.session = session

    def revenue_by(self, dimension: str, since: str) -> list[tuple[str, int]]:
        """Revenue per value of one whitelisted dimension since a date."""
        col = DIMENSIONS[dimension]
        stmt = (
            select(col, func.sum(orders.c.total_cents))
            .where(orders.c.created_at >= since)
            .group_by(col)
        )
        return [(r[0], r[1]) for r in self.session.execute(stmt)]
