"""The integrator guide's examples work as written against a real server."""

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.integration.ingest.harness import KEYS, StartIngest

EXAMPLES = Path(__file__).resolve().parents[3] / "docs/examples"


async def run(command: list[str], port: int) -> str:
    env = os.environ | {
        "IOC_INGEST_URL": f"http://127.0.0.1:{port}",
        "IOC_API_KEY": KEYS["so-tu-phap"],
        "IOC_AGENCY": "so-tu-phap",
    }
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()
    return output.decode()


async def test_curl_example_is_accepted_then_answered_as_duplicate(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    output = await run(["bash", str(EXAMPLES / "publish-with-curl.sh")], ingest.settings.port)
    first, retry = (json.loads(line) for line in output.strip().splitlines())
    assert (first["status"], retry["status"]) == ("accepted", "duplicate")
    assert len(await ingest.records("ioc.dossier-events.v1", at_least=1)) == 1


async def test_cloudevents_sdk_example_publishes_in_binary_mode(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    await run([sys.executable, str(EXAMPLES / "publish_with_sdk.py")], ingest.settings.port)
    [record] = await ingest.records("ioc.feedback-events.v1", at_least=1)
    subject = dict(record.headers)["ce_subject"].decode()
    assert subject == "Phản ánh về chiếu sáng công cộng"
