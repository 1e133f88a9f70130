# GroupLedger service image.
# Build: docker build -t groupledger .   Run: see docker-compose.yml (PostgreSQL beside the app).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Graphviz draws the ownership charts; without a CJK font their Chinese labels render as boxes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# The service never runs as root; the code it runs stays owned by root, so it cannot rewrite itself.
RUN groupadd --system --gid 10001 groupledger \
    && useradd --system --uid 10001 --gid groupledger --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin groupledger

WORKDIR /srv/groupledger

# Everything pyproject.toml's setuptools configuration needs: the packages app* and migrations*, the readme
# it declares, and alembic.ini for `groupledger migrate`.
COPY pyproject.toml README.md alembic.ini ./
COPY app/ app/
COPY migrations/ migrations/
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

ENV GROUPLEDGER_ENV=production

EXPOSE 8000

USER groupledger

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["groupledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
