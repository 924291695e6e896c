"""The plan targets' domain: forecasts of an indicator to a deadline, and each target's status
with its explanation. Pure functions of a target, its history and an injected "now"."""
