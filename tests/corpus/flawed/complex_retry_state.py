import time


def fetch_with_retries(client, url, retries=5):
    attempt = 0
    done = False
    result = None
    while not done:
        try:
            resp = client.get(url, timeout=5)
            if resp.status_code == 200:
                result = resp.json()
                done = True
            else:
                if resp.status_code == 429 or resp.status_code == 503:
                    attempt = attempt + 1
                    if attempt > retries:
                        done = True
                    else:
                        if "Retry-After" in resp.headers:
                            time.sleep(int(resp.headers["Retry-After"]))
                        else:
                            time.sleep(2 ** attempt)
                else:
                    if resp.status_code >= 500:
                        attempt = attempt + 1
                        if attempt > retries:
                            done = True
                        else:
                            time.sleep(2 ** attempt)
                    else:
                        done = True
        except TimeoutError:
            attempt = attempt + 1
            if attempt > retries:
                raise
            else:
                time.sleep(2 ** attempt)
    return result
