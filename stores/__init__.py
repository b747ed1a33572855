"""Tracker stores the Rasa server loads by module path from an endpoints file (see docs/scaling.md)."""
