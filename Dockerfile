# syncjobs: one image for every role (API + embedded engine, or a replica behind Inngest).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SYNCJOBS_HOME=/data SYNCJOBS_HOST=0.0.0.0 SYNCJOBS_PORT=8080

WORKDIR /app
# Exact versions the test suite passed with.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY syncjobs ./syncjobs
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
 && useradd --system --uid 10001 --home /data syncjobs && mkdir -p /data && chown syncjobs /data

USER syncjobs
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health').status != 200)"
CMD ["syncjobs", "serve", "--no-demo"]
