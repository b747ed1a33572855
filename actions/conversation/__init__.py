"""Rasa glue for the conversation itself: the session's opening notice and the two-stage fallback."""
