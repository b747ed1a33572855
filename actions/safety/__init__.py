"""Rasa glue for the safety screen's escalations: urgent advice, crisis support, confirming questions."""
