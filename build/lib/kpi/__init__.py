"""Live KPI maths, pure: periods, working days, derived indicator definitions, what one event
contributes to which rows, and rows that apply each source position once."""
