"""Custom Rasa NLU components, run inside the Rasa server (see config.yml)."""
