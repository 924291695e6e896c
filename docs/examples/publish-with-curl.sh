#!/usr/bin/env bash
# Publish one dossier event to IOC in structured mode, and retry it safely.
#   IOC_API_KEY=ioc_... IOC_AGENCY=so-tu-phap ./publish-with-curl.sh
set -euo pipefail
url=${IOC_INGEST_URL:-http://127.0.0.1:8001}
agency=${IOC_AGENCY:-so-tu-phap}
event_id="mot-cua-$(date +%s%N)"   # unique per change, and the SAME on every retry of it

event=$(cat <<JSON
{
  "specversion": "1.0",
  "id": "$event_id",
  "source": "/agencies/$agency/mot-cua",
  "type": "vn.ioc.dossier.status-changed.v1",
  "time": "2025-06-02T09:30:00+07:00",
  "data": {
    "dossier_id": "000.00.31.H48-250602-$RANDOM",
    "procedure_code": "QNG-TP-001",
    "procedure_online_level": "full",
    "agency_code": "$agency",
    "org_unit_code": "quang-ngai",
    "channel": 2,
    "status": 2,
    "received_at": "2025-06-02T09:30:00+07:00",
    "due_at": "2025-06-16T17:00:00+07:00",
    "fee_charged": true,
    "paid_online": true,
    "vneid_verified": true
  }
}
JSON
)

for attempt in 1 2; do  # the second send is a retry: IOC answers 200 "duplicate"
  curl --silent --show-error --fail-with-body --request POST "$url/v1/events" \
    --header "X-API-Key: $IOC_API_KEY" \
    --header "Content-Type: application/cloudevents+json" \
    --data "$event"
  echo
done
