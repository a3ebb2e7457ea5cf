"""Intake of submissions from every channel: stored once, complete, then processed."""
