# One image for every service of compose.yaml; the command picks the process.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libzbar0 poppler-utils fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# With the kiosk extra: compose.yaml runs a kiosk from this image too (a core-only image would install `.`).
RUN pip install --no-cache-dir '.[kiosk]'
USER nobody
