from tests.integration.alerts.test_service import hooks, stack

__all__ = ["hooks", "stack"]
