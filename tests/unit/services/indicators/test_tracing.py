"""The worker continues the trace of each record from the W3C context in its Kafka headers."""

from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from infra.telemetry import configure_tracing
from services.indicators.worker import _continue_traces
from tests.unit.services.indicators.test_processor import BATCH, processor, records

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


async def test_each_traced_record_gets_a_child_span_of_its_producer() -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("test").add_span_processor(SimpleSpanProcessor(exporter))
    first, second, third, _ = records(BATCH)
    parent = ("traceparent", f"00-{TRACE_ID}-{PARENT}-01".encode())
    traced = second._replace(headers=[*second.headers, parent])
    state_only = third._replace(headers=[*third.headers, ("tracestate", b"ioc=1")])
    outcome = await processor()[0].process([first, traced, state_only])
    assert [r.offset for r, _ in outcome.traced] == [traced.offset]
    _continue_traces(outcome.traced, 0)
    [span] = [s for s in exporter.get_finished_spans() if s.name == "kpi.update"]
    assert span.context is not None
    assert span.parent is not None
    assert trace.format_trace_id(span.context.trace_id) == TRACE_ID
    assert trace.format_span_id(span.parent.span_id) == PARENT
    assert span.attributes is not None
    assert span.attributes["messaging.kafka.message.offset"] == traced.offset
