"""Rasa glue for trial questions: answers built from the study file by backpain.study."""
