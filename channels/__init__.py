"""The clinic's Rasa input channels, named in credentials.yml by their class paths.

- `channels.rest.ClinicRestInput`: the REST channel the web page and `rasa shell` use, answering
  malformed requests with a 400 and a clear JSON error instead of a server error.
- `channels.slack.ClinicSlackInput`: the Slack connector, with answers formatted for Slack and an
  optional API address so tests capture what would be sent to Slack.
"""
