# syntax=docker/dockerfile:1
# One image for every IOC process; the command picks the process:
#   python -m services.ingest | services.indicators worker | services.indicators api |
#   services.alerts | ioc topics ensure | ioc simulate ...
# Non-root, no shell tools beyond the slim base, health checked by `ioc health $IOC_HEALTH_URL`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A compiler for any dependency without a wheel for this platform; it stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/ioc
WORKDIR /src
# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' >/tmp/requirements.txt \
 && /opt/ioc/bin/pip install -r /tmp/requirements.txt
COPY contracts contracts
COPY catalog catalog
COPY domain domain
COPY infra infra
COPY services services
COPY ioc ioc
COPY simulator simulator
RUN /opt/ioc/bin/pip install --no-deps . && /opt/ioc/bin/python -m compileall -q /opt/ioc

FROM ${PYTHON_IMAGE}
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin ioc
COPY --from=build /opt/ioc /opt/ioc
# Bytecode is compiled at build time: the root filesystem can be read-only at run time.
ENV PATH=/opt/ioc/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    INGEST_HOST=0.0.0.0 INDICATORS_HOST=0.0.0.0 ALERTS_HOST=0.0.0.0
RUN mkdir -p /var/lib/ioc && chown 10001:10001 /var/lib/ioc
VOLUME ["/var/lib/ioc"]
WORKDIR /var/lib/ioc
USER 10001:10001
# ingest, indicators API, alerts and console; their Prometheus metrics.
EXPOSE 8001 8002 8003 9101 9102 9103
HEALTHCHECK --interval=10s --timeout=4s --start-period=60s --retries=3 CMD ["ioc", "health"]
CMD ["ioc", "--help"]
