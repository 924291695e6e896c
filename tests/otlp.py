"""An OTLP/HTTP trace receiver: the spans a service process exports, kept for the test."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request, Response
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.servers import free_port, serving


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str  # hex, as in a traceparent
    span_id: str
    parent_span_id: str


def otlp_receiver(received: list[ReceivedSpan]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/traces")
    async def export(request: Request) -> Response:
        message = ExportTraceServiceRequest.FromString(await request.body())
        for resource_spans in message.resource_spans:
            service = next(
                a.value.string_value
                for a in resource_spans.resource.attributes
                if a.key == "service.name"
            )
            received.extend(
                ReceivedSpan(
                    service,
                    span.name,
                    span.trace_id.hex(),
                    span.span_id.hex(),
                    span.parent_span_id.hex(),
                )
                for scope_spans in resource_spans.scope_spans
                for span in scope_spans.spans
            )
        return Response(
            ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf"
        )

    return app


@dataclass
class Collector:
    endpoint: str  # for OTEL_EXPORTER_OTLP_ENDPOINT
    spans: list[ReceivedSpan] = field(default_factory=list)


@pytest.fixture
async def otlp_collector() -> AsyncIterator[Collector]:
    port = free_port()
    collector = Collector(f"http://127.0.0.1:{port}")
    async with serving(otlp_receiver(collector.spans), port):
        yield collector
