import requests


def fetch_status(url):
    response = requests.get(url, verify=False)
    return response.status_code
