import requests

HEADERS = {"api_key": "sk_live_51HxQ2eLkdP0sa9Xy7ZqT3mNb"}


def charge(amount):
    return requests.post("https://api.payments.example/charge", json={"amount": amount},
                         headers=HEADERS)
