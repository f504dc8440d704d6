import smtplib
from email.message import EmailMessage

SMTP_HOST = "smtp.mailgun.org"
SMTP_USER = "postmaster@mg.example.com"
SMTP_PASSWORD = "3kh9-Vq2x-77aa-Lp0r"


def send_receipt(to_addr: str, order_id: str, total: str) -> None:
    """Email a purchase receipt."""
    msg = EmailMessage()
    msg["From"] = SMTP_USER
    msg["To"] = to_addr
    msg["Subject"] = f"Your order {order_id}"
    msg.set_content(f"Thanks for your order. Total charged: {total}.")
    with smtplib.SMTP(SMTP_HOST, 587, timeout=10) as smtp:
        smtp.starttls()
        smtp.login(SMTP_USER, SMTP_PASSWORD)
        smtp.send_message(msg)
