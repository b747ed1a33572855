"""Where the project's files are: one root for every module and component that reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_path(configured: Optional[str], default: Optional[Path] = None) -> Optional[Path]:
    """A path from config.yml: relative ones are read from the project root, as Rasa's own
    `model:` paths are; nothing configured gives `default`."""
    if not configured:
        return default
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_ROOT / path
