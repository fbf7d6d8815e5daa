# plgbot: the same steps as the README's `make run`, on a slim Python base.
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 plgbot

WORKDIR /app
COPY --chown=plgbot:plgbot . /app
USER plgbot

# `make run` = create .venv, install, `plgbot db upgrade`, `plgbot demo --if-empty`, `plgbot serve`.
RUN make .venv/bin/plgbot PYTHON=python3.11

# `plgbot` is the one in .venv, for compose.yaml's commands (`plgbot db upgrade`, `plgbot serve`).
ENV PATH=/app/.venv/bin:$PATH \
    PLGBOT_HOST=0.0.0.0 \
    PLGBOT_PORT=8000 \
    DATABASE_URL=sqlite:////app/data/plgbot.db
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD python3.11 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"

# On its own (SQLite, the demo school) like `make run`; compose.yaml runs it on PostgreSQL.
CMD ["make", "run", "PYTHON=python3.11"]
