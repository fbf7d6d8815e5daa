# plgbot's image: the README's production install ("Production" → "Docker"), in two
# stages. The first installs the locked dependencies (a layer of their own, rebuilt only
# when requirements.lock changes) and then plgbot itself; the second is a clean slim
# Python with that virtual environment only: no compilers, no dev tools, no pip cache.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python3.11 -m venv /opt/plgbot
COPY requirements.lock ./
RUN /opt/plgbot/bin/pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot bot
COPY adapters adapters
COPY scheduler scheduler
COPY storage storage
RUN /opt/plgbot/bin/pip install --no-deps .

FROM python:3.11-slim

RUN useradd --create-home --uid 10001 plgbot \
    && mkdir /data \
    && chown plgbot:plgbot /data
COPY --from=build /opt/plgbot /opt/plgbot
USER plgbot
WORKDIR /data

# compose.yaml sets DATABASE_URL to its PostgreSQL; on its own the image keeps a SQLite
# file in /data (mount a volume there). `plgbot serve` migrates at start; no demo data.
ENV PATH=/opt/plgbot/bin:$PATH \
    PLGBOT_HOST=0.0.0.0 \
    PLGBOT_PORT=8000 \
    DATABASE_URL=sqlite:////data/plgbot.db
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD python3.11 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"

CMD ["plgbot", "serve"]
