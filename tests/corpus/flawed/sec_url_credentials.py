from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

DATABASE_URL = "postgresql://billing:Sup3rS3cret!@db-primary.prod:5432/billing"

engine = create_engine(DATABASE_URL, pool_size=10, pool_pre_ping=True)
Session = sessionmaker(bind=engine)


def overdue_accounts(days: int) -> list[int]:
    """Return the ids of accounts with an invoice unpaid for more than days."""
    with Session() as session:
        result = session.execute(
            text(
                "SELECT DISTINCT account_id FROM invoices "
                "WHERE paid_at IS NULL AND issued_at < now() - make_interval(days => :days)"
            ),
            {"days": days},
        )
        return [row.account_id for row in result]
