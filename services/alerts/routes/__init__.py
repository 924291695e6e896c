"""The operator API, a router per resource."""

from services.alerts.routes import alerts, health, session, targets

ROUTERS = (session.router, targets.router, alerts.router, health.router)
