import os

from sqlalchemy import URL, create_engine, text
from sqlalchemy.orm import sessionmaker

DATABASE_URL = URL.create(
    "postgresql+psycopg",
    username=os.environ["BILLING_DB_USER"],
    password=os.environ["BILLING_DB_PASSWORD"],
    host=os.environ.get("BILLING_DB_HOST", "localhost"),
    database="billing",
)

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
