"""Plotly figure builders: results in, figure JSON (plain dicts) out. No computation here."""
