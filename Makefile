# IOC. The two commands of the quickstart:
#   make up     start the local stack (Kafka, Redis, topics, the services) and print its URLs
#   make test   lint, type-check, check contracts and OpenAPI for drift, run every test
# Both install what they need on first use: Python venv and packages, the Kafka jars (Maven
# Central), Debian's redis-server, chromium and prometheus (promtool), the Node tooling.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup infra up down status test lint typecheck contracts pytest bench faults clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA_PORT ?= 9092
REDIS_PORT ?= 16379
INGEST_PORT ?= 8001
INDICATORS_PORT ?= 8002
ALERTS_PORT ?= 8003
STACK := .local/stack
STACK_ENV := KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(KAFKA_PORT) REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0
INGEST_ENV := INGEST_PORT=$(INGEST_PORT) INGEST_AGENCIES_FILE=$(STACK)/agencies.yaml

help:
	@echo "make up      start the local stack and print its URLs (make down stops it)"
	@echo "make test    run the full suite: ruff, import contracts, mypy, contract drift, pytest"
	@echo "make status  show what is running"
	@echo "make bench   benchmarks against raw baselines (starts the stack; minutes)"
	@echo "make faults  fault tests: processes killed and restarted (minutes)"

setup: $(VENV)/.installed node_modules/.installed
	@deploy/local/kafka.sh install
	@deploy/local/redis.sh install
	@deploy/local/chromium.sh install
	@deploy/local/manifest-tools.sh install

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

infra: setup
	@KAFKA_PORT=$(KAFKA_PORT) deploy/local/kafka.sh start
	@REDIS_PORT=$(REDIS_PORT) deploy/local/redis.sh start
	@$(STACK_ENV) $(BIN)/ioc topics ensure

up: infra
	@$(BIN)/ioc agencies demo-keys $(STACK)
	@$(BIN)/ioc operators demo-keys $(STACK)
	@$(STACK_ENV) $(INGEST_ENV) deploy/local/service.sh start ingest services.ingest \
		http://127.0.0.1:$(INGEST_PORT)/healthz
	@$(STACK_ENV) deploy/local/service.sh start indicators-worker services.indicators \
		http://127.0.0.1:9102/metrics worker
	@$(STACK_ENV) INDICATORS_PORT=$(INDICATORS_PORT) deploy/local/service.sh \
		start indicators-api services.indicators http://127.0.0.1:$(INDICATORS_PORT)/healthz api
	@$(STACK_ENV) ALERTS_PORT=$(ALERTS_PORT) ALERTS_OPERATORS_FILE=$(STACK)/operators.yaml \
		deploy/local/service.sh start alerts services.alerts \
		http://127.0.0.1:$(ALERTS_PORT)/healthz
	@deploy/local/service.sh start simulator ioc.cli - simulate \
		--ingest http://127.0.0.1:$(INGEST_PORT) --keys $(STACK)/agency-keys.json
	@echo
	@echo "IOC local stack is up:"
	@echo "  Ingest API        http://127.0.0.1:$(INGEST_PORT)/v1/events  (OpenAPI: /openapi.json)"
	@echo "  Ingest metrics    http://127.0.0.1:9101/metrics"
	@echo "  KPI read API      http://127.0.0.1:$(INDICATORS_PORT)/v1/kpis?indicator=ONLINE_DOSSIERS"
	@echo "  Worker metrics    http://127.0.0.1:9102/metrics"
	@echo "  Operator console  http://127.0.0.1:$(ALERTS_PORT)/  (sign in with a key below)"
	@echo "  Alerts API        http://127.0.0.1:$(ALERTS_PORT)/v1/alerts  (metrics: :9103)"
	@echo "  Operator API keys $(STACK)/operator-keys.json"
	@echo "  Demo load         a year of Quảng Ngãi replayed, then live: $(STACK)/simulator/simulator.log"
	@echo "  Agency API keys   $(STACK)/agency-keys.json"
	@echo "  Kafka bootstrap   127.0.0.1:$(KAFKA_PORT)"
	@echo "  Redis             redis://127.0.0.1:$(REDIS_PORT)/0"
	@echo "  State and logs    $(STACK)/"
	@echo "Stop it with: make down"

down:
	@deploy/local/service.sh stop simulator
	@deploy/local/service.sh stop alerts
	@deploy/local/service.sh stop indicators-api
	@deploy/local/service.sh stop indicators-worker
	@deploy/local/service.sh stop ingest
	@REDIS_PORT=$(REDIS_PORT) deploy/local/redis.sh stop
	@KAFKA_PORT=$(KAFKA_PORT) deploy/local/kafka.sh stop

status:
	@deploy/local/service.sh status ingest || true
	@deploy/local/service.sh status indicators-worker || true
	@deploy/local/service.sh status indicators-api || true
	@deploy/local/service.sh status alerts || true
	@deploy/local/service.sh status simulator || true
	@KAFKA_PORT=$(KAFKA_PORT) deploy/local/kafka.sh status || true
	@REDIS_PORT=$(REDIS_PORT) deploy/local/redis.sh status || true

test: setup lint typecheck contracts pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/python -m tools.contracts --check
	$(BIN)/python -m tools.openapi --check
	$(BIN)/python -m deploy.generate --check

pytest:
	$(BIN)/pytest

# The broker and Redis only: each benchmark starts the services it measures, on a quiet machine
# (the demo load of `make up` would skew the figures).
bench: infra
	@$(STACK_ENV) $(BIN)/python -m bench.ingest_throughput
	@$(STACK_ENV) $(BIN)/python -m bench.indicators_pipeline
	@$(STACK_ENV) $(BIN)/python -m bench.alerts_latency

faults: setup
	$(BIN)/pytest tests/faults tests/integration/indicators/test_kill.py

clean: down
	rm -rf .local $(VENV) node_modules
