"""Slotwise: a self-hostable scheduling server that speaks the Cal.com API v2."""

__version__ = "0.1.0"
