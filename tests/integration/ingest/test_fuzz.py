"""Fuzz the API from its own OpenAPI document (schemathesis): no 5xx, no answer that breaks
the document (status codes, content types, response schemas, headers)."""

import asyncio
import sys
from pathlib import Path

from tests.integration.ingest.harness import KEYS, StartIngest

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


async def test_fuzzing_finds_no_server_error_and_no_schema_violation(
    start_ingest: StartIngest, tmp_path: Path
) -> None:
    ingest = await start_ingest()
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"http://127.0.0.1:{ingest.settings.port}/openapi.json",
        "--header",
        f"X-API-Key: {KEYS['so-tu-phap']}",
        "--checks",
        CHECKS,
        "--max-examples",
        "60",
        "--seed",
        "20251231",
        "--report-dir",
        str(tmp_path),
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=300)

    assert process.returncode == 0, output.decode()[-4000:]
