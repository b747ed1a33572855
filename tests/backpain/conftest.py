"""Fixtures of the core's tests."""

from __future__ import annotations

import pytest

from backpain.safety_pattern_file import default_patterns
from backpain.safety_patterns import SafetyPatterns


@pytest.fixture(scope="module")
def patterns() -> SafetyPatterns:
    return default_patterns()
