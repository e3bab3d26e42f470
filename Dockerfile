# One image for every service of compose.yaml; the command picks the process.
# Stage 1 builds the wheels (compilers stay there); stage 2 installs them as root and runs as `motcua`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain domain
COPY application application
COPY projections projections
COPY infrastructure infrastructure
COPY api api
COPY kiosk_edge kiosk_edge
# With the kiosk extra: compose.yaml runs a kiosk from this image too (a core-only image would build `.`).
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[kiosk]'

FROM python:3.11-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libzbar0 poppler-utils fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl
# A fixed non-root user owning only its writable directory (MOTCUA_DATA_DIR: development PKI, blobs, the kiosk's
# outbox); the code installed above belongs to root and is read-only to the service.
RUN groupadd --system --gid 10001 motcua \
    && useradd --system --uid 10001 --gid motcua --home-dir /var/lib/motcua --no-create-home motcua \
    && install -d -o motcua -g motcua -m 0700 /var/lib/motcua
ENV MOTCUA_DATA_DIR=/var/lib/motcua PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /var/lib/motcua
USER motcua
EXPOSE 8000 8100
# The API's readiness; the other services override it in compose.yaml or have none (no HTTP port).
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=5)"]
CMD ["python", "-m", "api"]
