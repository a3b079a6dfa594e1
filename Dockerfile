# Feedforward Lab. Build: docker build -t feedforward-lab .   Run: docker run -p 8000:8000 feedforward-lab
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=2 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MALLOC_ARENA_MAX=2 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /srv/app
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 lab

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python3", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# uvicorn takes its worker count from WEB_CONCURRENCY; the workers share one compute slot per core
# (app/slots.py). --http app.server:HTTPProtocol sets TCP_NODELAY, which uvicorn's --workers socket lacks.
CMD ["uvicorn", "app.main:app", "--app-dir", "/srv/app", "--http", "app.server:HTTPProtocol", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
