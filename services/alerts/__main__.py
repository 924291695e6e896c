"""`python -m services.alerts` runs the alert service: evaluation, notifications, operator API."""

from prometheus_client import start_http_server

from infra.serve import configure_logging, serve
from services.alerts.app import create_app
from services.alerts.settings import AlertsSettings


def main() -> None:
    configure_logging()
    settings = AlertsSettings()
    start_http_server(settings.metrics_port, settings.host)
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
