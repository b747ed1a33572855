"""The back-pain assistant's action server package (`rasa run actions` imports it).

Modules are small and focused: the study file's model and queries have no Rasa imports;
modules ending in `_actions` glue them to Rasa trackers.
"""
