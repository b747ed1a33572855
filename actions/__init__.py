"""The back-pain assistant's action server package (`rasa run actions` imports it, subpackages too).

Thin Rasa glue over backpain/, one subpackage per area: `study` (trial answers), `safety`
(escalations), `guided` (the scripts' forms and actions), `conversation` (session start, the
two-stage fallback). `check_config` is the start-up check of every file the server reads.
"""
