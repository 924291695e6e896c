# IOC. The two commands of the quickstart:
#   make up     start the local stack (Kafka, Redis, topics, the services) and print its URLs
#   make test   lint, type-check, check contracts for drift, run every test (unit + integration)
# Both install what they need on first use: Python venv and packages, the Kafka jars (Maven
# Central), Debian's redis-server, the Node tooling.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup up down status test lint typecheck contracts pytest clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA_PORT ?= 9092
REDIS_PORT ?= 16379
STACK_ENV := KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(KAFKA_PORT) REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0

help:
	@echo "make up      start the local stack and print its URLs (make down stops it)"
	@echo "make test    run the full suite: ruff, mypy, contract drift, pytest"
	@echo "make status  show what is running"

setup: $(VENV)/.installed node_modules/.installed
	@deploy/local/kafka.sh install
	@deploy/local/redis.sh install

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

up: setup
	@KAFKA_PORT=$(KAFKA_PORT) deploy/local/kafka.sh start
	@REDIS_PORT=$(REDIS_PORT) deploy/local/redis.sh start
	@$(STACK_ENV) $(BIN)/ioc topics ensure
	@echo
	@echo "IOC local stack is up:"
	@echo "  Kafka bootstrap   127.0.0.1:$(KAFKA_PORT)"
	@echo "  Redis             redis://127.0.0.1:$(REDIS_PORT)/0"
	@echo "  State and logs    .local/stack/"
	@echo "Stop it with: make down"

down:
	@REDIS_PORT=$(REDIS_PORT) deploy/local/redis.sh stop
	@KAFKA_PORT=$(KAFKA_PORT) deploy/local/kafka.sh stop

status:
	@KAFKA_PORT=$(KAFKA_PORT) deploy/local/kafka.sh status || true
	@REDIS_PORT=$(REDIS_PORT) deploy/local/redis.sh status || true

test: setup lint typecheck contracts pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/python -m contracts.generate --check

pytest:
	$(BIN)/pytest

clean: down
	rm -rf .local $(VENV) node_modules
