"""Indicators service: live KPIs per indicator, org unit and period, from the event streams."""
