"""Pytest plugin: a real Kafka broker and a real Redis for every test that asks for them.

Each address comes from, in order:
1. `KAFKA_BOOTSTRAP_SERVERS` / `REDIS_URL`, when set (an existing server);
2. testcontainers, when a Docker engine answers (a developer's laptop);
3. the project's local broker and Redis (deploy/local/), started once per test session on
   ports of their own (19092, 16380) with throw-away state, and stopped at the end.
Nothing is ever skipped for lack of infrastructure: a failure to start one fails loudly.
"""

import asyncio
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
import redis.asyncio as aioredis

from contracts.topics import Topic
from infra.kafka import ensure_topics

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / "deploy" / "local"
TEST_STATE = ROOT / ".local" / "test"
KAFKA_PORT, KAFKA_CONTROLLER_PORT, REDIS_PORT = 19092, 19093, 16380


class InfrastructureError(RuntimeError):
    pass


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # no client library, no socket, no engine: all mean "no Docker"
        return False
    return True


def _run_script(script: str, action: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(LOCAL / script), action],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise InfrastructureError(
            f"deploy/local/{script} {action} failed (exit {result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )


def _fresh_state(script: str, env: dict[str, str], state: Path) -> None:
    """Stop what an interrupted earlier session left running there, then start empty."""
    subprocess.run([str(LOCAL / script), "stop"], env=os.environ | env, capture_output=True)
    shutil.rmtree(state, ignore_errors=True)


@contextmanager
def _local_server(script: str, env: dict[str, str]) -> Iterator[None]:
    _run_script(script, "start", env)
    try:
        yield
    finally:
        _run_script(script, "stop", env)


@contextmanager
def _kafka() -> Iterator[str]:
    if address := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield address
    elif _docker_answers():
        from testcontainers.community.kafka import KafkaContainer

        # testcontainers drives Confluent's images (it edits their start scripts); 7.9 is
        # Apache Kafka 3.9 in KRaft mode, the same protocol surface the services use.
        with KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
    else:
        state = TEST_STATE / "kafka"
        env = {
            "KAFKA_PORT": str(KAFKA_PORT),
            "KAFKA_CONTROLLER_PORT": str(KAFKA_CONTROLLER_PORT),
            "KAFKA_STATE_DIR": str(state),
            "KAFKA_HEAP_MAX": "768m",
        }
        _fresh_state("kafka.sh", env, state)  # each session starts from an empty broker
        with _local_server("kafka.sh", env):
            yield f"127.0.0.1:{KAFKA_PORT}"


@contextmanager
def _redis() -> Iterator[str]:
    if url := os.environ.get("REDIS_URL"):
        yield url
    elif _docker_answers():
        from testcontainers.community.redis import RedisContainer

        with RedisContainer("redis:7") as container:
            host, port = container.get_container_host_ip(), container.get_exposed_port(6379)
            yield f"redis://{host}:{port}/0"
    else:
        state = TEST_STATE / "redis"
        env = {"REDIS_PORT": str(REDIS_PORT), "REDIS_STATE_DIR": str(state)}
        _fresh_state("redis.sh", env, state)
        with _local_server("redis.sh", env):
            yield f"redis://127.0.0.1:{REDIS_PORT}/0"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap address of a real Kafka broker (started on first use in a session)."""
    with ExitStack() as stack:
        yield stack.enter_context(_kafka())


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a real Redis server (started on first use in a session)."""
    with ExitStack() as stack:
        yield stack.enter_context(_redis())


class StoppableServer:
    """A server of the test's own (local script, own port and state) that it may stop and
    restart, for outage tests that must not disturb the shared ones."""

    def __init__(self, script: str, env: dict[str, str], state: Path) -> None:
        self.script, self.env, self.state = script, env, state

    def start(self) -> None:
        _run_script(self.script, "start", self.env)

    def stop(self) -> None:
        _run_script(self.script, "stop", self.env)

    @contextmanager
    def running(self) -> Iterator[None]:
        _fresh_state(self.script, self.env, self.state)
        self.start()
        try:
            yield
        finally:
            self.stop()


class StoppableKafka(StoppableServer):
    def __init__(self, state: Path, port: int) -> None:
        self.bootstrap = f"127.0.0.1:{port}"
        env = {
            "KAFKA_PORT": str(port),
            "KAFKA_CONTROLLER_PORT": str(port + 1),
            "KAFKA_STATE_DIR": str(state),
            "KAFKA_HEAP_MAX": "512m",
        }
        super().__init__("kafka.sh", env, state)


class StoppableRedis(StoppableServer):
    def __init__(self, state: Path, port: int) -> None:
        self.url = f"redis://127.0.0.1:{port}/0"
        super().__init__(
            "redis.sh", {"REDIS_PORT": str(port), "REDIS_STATE_DIR": str(state)}, state
        )


@pytest.fixture
def stoppable_kafka() -> Iterator[StoppableKafka]:
    kafka = StoppableKafka(TEST_STATE / "stoppable-kafka", KAFKA_PORT + 100)
    with kafka.running():
        yield kafka


@pytest.fixture
def stoppable_redis() -> Iterator[StoppableRedis]:
    redis = StoppableRedis(TEST_STATE / "stoppable-redis", REDIS_PORT + 100)
    with redis.running():
        yield redis


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A name no other test (or earlier run) uses: for topics, groups and key prefixes."""
    test = re.sub(r"[^a-zA-Z0-9]+", "-", request.node.name).strip("-")[:60]
    return f"test.{test}.{uuid.uuid4().hex[:8]}"


async def eventually(
    condition: Callable[[], Awaitable[bool]],
    within: float,
    every: float = 0.05,
    explain: Callable[[], str] = lambda: "",
) -> None:
    """Wait until `condition()` holds; fail after `within` seconds (never a fixed sleep), with
    `explain()` telling what was last seen."""
    try:
        async with asyncio.timeout(within):
            while True:
                if await condition():
                    return
                await asyncio.sleep(every)
    except TimeoutError:
        pytest.fail(f"condition not met within {within}s {explain()}".rstrip())


@asynccontextmanager
async def deadline(
    seconds: float, what: str, explain: Callable[[], str] = lambda: ""
) -> AsyncIterator[None]:
    """Fail instead of hanging: after `seconds`, show where every task was waiting (taken
    before they are cancelled), then cancel the block."""
    block = asyncio.current_task()
    assert block is not None
    stacks: list[str] = []

    def expire() -> None:
        stacks.extend(_awaiting(task) for task in asyncio.all_tasks())
        block.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        yield
    except asyncio.CancelledError:
        if stacks:
            pytest.fail(
                f"{what} did not finish within {seconds}s {explain()}; tasks:\n" + "\n".join(stacks)
            )
        raise
    finally:
        timer.cancel()


def _awaiting(task: "asyncio.Task[Any]") -> str:
    """The task's whole chain of awaits (print_stack shows only its outermost frame)."""
    lines, awaited = [task.get_name()], cast(Any, task.get_coro())
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is not None:
            lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return "\n".join(lines)


NewTopic = Callable[..., Awaitable[str]]


@pytest.fixture
def new_topic(kafka_bootstrap: str, unique_name: str) -> NewTopic:
    """Create a topic with a unique name: `await new_topic(partitions=3, config={...})`."""
    counter = iter(range(1_000))

    async def create(partitions: int = 1, config: dict[str, str] | None = None) -> str:
        topic = Topic(
            f"{unique_name}.{next(counter)}", "test topic", "test", partitions, config or {}
        )
        await ensure_topics(kafka_bootstrap, [topic])
        return topic.name

    return create


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
