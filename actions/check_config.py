"""Check every file the action server reads, before it starts: `python -m actions.check_config`.

Exits 1 with one clear line per problem (file, place inside it, what is wrong), so a broken
study file or clinic setting stops start-up instead of surfacing mid-conversation.
`--print FIELD` prints one clinic setting (the run script uses it for the CORS origin).
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, List, Tuple

from backpain.clinic_config import ClinicConfigError, load_clinic_config


def _checks() -> List[Tuple[str, Callable[[], object]]]:
    from backpain.safety_pattern_file import load_safety_patterns
    from backpain.study.loading import load_study

    return [
        ("clinic settings", load_clinic_config),
        ("study file", load_study),
        ("safety patterns", load_safety_patterns),
    ]


def _file_errors() -> Tuple[type, ...]:
    from backpain.safety_pattern_file import SafetyPatternError
    from backpain.study.errors import StudyFileError

    return (ClinicConfigError, StudyFileError, SafetyPatternError)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the files the action server reads.")
    parser.add_argument("--print", dest="field", help="print one clinic setting and exit")
    args = parser.parse_args(argv)
    if args.field:
        try:
            print(getattr(load_clinic_config(), args.field))
        except (ClinicConfigError, AttributeError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    failed = False
    file_errors = _file_errors()
    for name, check in _checks():
        try:
            check()
        except file_errors as error:  # each names the file, the place in it and the problem
            print(f"error in {name}: {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
