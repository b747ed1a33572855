"""The clinic's Rasa input channels, named in credentials.yml by their class paths.

- `channels.rest.ClinicRestInput`: the REST channel the web page and `rasa shell` use, answering
  malformed requests with a 400 and a clear JSON error instead of a server error.
- `channels.slack.ClinicSlackInput`: the Slack connector, with answers formatted for Slack and an
  optional API address so tests capture what would be sent to Slack.
"""

# Every Rasa server of this project loads its channels, so this is where the server-side speed-up
# is installed (channels/action_result_validation.py explains it).
from channels.action_result_validation import install as _install_fast_action_result_validation

_install_fast_action_result_validation()
