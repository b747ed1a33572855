"""Point a line of config.yml at a freshly built folder (plain Python, no Rasa).

The spaCy pipeline (scripts/build_spacy_pipeline.py) and the safety classifier
(backpain/safety_training.py) are built into folders named by a hash of what went into them.
Their config.yml line is rewritten to the new folder, so Rasa's training cache sees a change
exactly when the build changed.
"""

from __future__ import annotations

import re
from pathlib import Path


def point_config_line(config_file: Path, line: "re.Pattern[str]", relative_path: str) -> bool:
    """Rewrite the first line matching `line` (group 1: the key) to the quoted path.

    True when the file changed. A config without the line is an error the build cannot fix.
    """
    text = config_file.read_text(encoding="utf-8")
    if not line.search(text):
        raise SystemExit(
            f"{config_file}: no line matching {line.pattern!r} to point at {relative_path}"
        )
    updated = line.sub(lambda m: f'{m.group(1)}"{relative_path}"', text, count=1)
    if updated == text:
        return False
    config_file.write_text(updated, encoding="utf-8")
    return True
