"""The clinic's Rasa input channels, named in credentials.yml by their class paths.

- `channels.rest.ClinicRestInput`: the REST channel the web page and `rasa shell` use, answering
  malformed requests with a 400 and a clear JSON error instead of a server error.
- `channels.slack.ClinicSlackInput`: the Slack connector, with answers formatted for Slack and an
  optional API address so tests capture what would be sent to Slack.
"""

# THE ONE PATCH OF RASA IN THIS PROJECT, installed here because every Rasa server of this project
# loads its channels (credentials.yml names them): Rasa's check of each action server reply,
# with its JSON schema compiled once. channels/rasa_patch_fast_action_reply_check.py explains it;
# the README's "Upgrading Rasa" says what to check when Rasa changes.
from channels.rasa_patch_fast_action_reply_check import install as install_fast_action_reply_check

install_fast_action_reply_check()
