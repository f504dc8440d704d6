import pandas as pd


def monthly_revenue(orders: pd.DataFrame) -> pd.Series:
    """Revenue per calendar month from an orders frame."""
    paid = orders[orders["status"] == "paid"].copy()
    paid["month"] = paid["paid_at"].dt.to_period("M")
    return paid.groupby("month")["total"].sum().sort_index()


def top_customers(orders: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The n customers with the largest order totals."""
    totals = orders.groupby("customer_id")["total"].sum()
    return totals.nlargest(n).reset_index()
