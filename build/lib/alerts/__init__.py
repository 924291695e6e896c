"""The alert domain: one alert model (fingerprint, severity, firing → acknowledged → resolved,
silences, audit), the rules that turn target assessments and SLA clocks into conditions, and
the Alertmanager webhook payload. Pure: no Kafka, Redis or HTTP."""
