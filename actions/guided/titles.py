"""The guided scripts' forms and how they are called when talking to the person.

The one list of the scripts (the forms in domain.yml): the safety actions read it to know which
paused script can be resumed, so it imports nothing else from the action server.
"""

from typing import Dict

SCRIPT_TITLES: Dict[str, str] = {
    "breathing_form": "breathing exercise",
    "thought_record_form": "thought record",
    "pacing_form": "pacing plan",
    "flare_plan_form": "flare-up plan",
    "exposure_form": "fear ladder",
    "exposure_practice_form": "practice record",
}
