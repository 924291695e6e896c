"""Publish one citizen-feedback event to IOC in binary mode with the official CloudEvents SDK.

pip install cloudevents httpx
IOC_API_KEY=ioc_... IOC_AGENCY=so-tu-phap python publish_with_sdk.py
"""

import os
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
from cloudevents.core.bindings.http import to_binary_event
from cloudevents.core.v1.event import CloudEvent

VIETNAM = timezone(timedelta(hours=7))
url = os.environ.get("IOC_INGEST_URL", "http://127.0.0.1:8001")
agency = os.environ.get("IOC_AGENCY", "so-tu-phap")

event = CloudEvent(
    attributes={
        "id": str(uuid.uuid4()),  # keep it: a retry must send the same id
        "source": f"/agencies/{agency}/pakn",
        "type": "vn.ioc.feedback.opened.v1",
        "time": datetime(2025, 6, 3, 8, 0, tzinfo=VIETNAM),
        "subject": "Phản ánh về chiếu sáng công cộng",  # non-ASCII: the SDK percent-encodes it
        "datacontenttype": "application/json",
    },
    data={
        "feedback_id": f"PAKN-{uuid.uuid4().hex[:8]}",
        "org_unit_code": "cam-thanh",
        "agency_code": agency,
        "category": "ha-tang-do-thi",
        "opened_at": "2025-06-03T08:00:00+07:00",
    },
)
message = to_binary_event(event)

for _ in range(5):
    response = httpx.post(
        f"{url}/v1/events",
        headers={**message.headers, "X-API-Key": os.environ["IOC_API_KEY"]},
        content=message.body,
    )
    if response.status_code in (200, 202):  # accepted, or a duplicate of an accepted retry
        print(response.json())
        sys.exit(0)
    if response.status_code in (409, 429, 503):  # in progress, rate-limited, unavailable
        time.sleep(float(response.headers.get("Retry-After", "1")))
        continue
    sys.exit(f"refused: {response.status_code} {response.text}")  # fix the event, do not retry
sys.exit("gave up after 5 attempts")
