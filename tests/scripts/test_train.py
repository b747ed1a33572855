"""scripts/train.py: when `make train` skips training, and which models it keeps.

Rasa itself is replaced by a stand-in command (a shell script that records its arguments, exits
with the dry-run code the test chooses and, when asked to train, writes a model), so these tests
check the decision and the pruning, not Rasa.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List

import pytest

from scripts import train

FAKE_RASA = """#!/usr/bin/env bash
echo "$*" >> "{log}"
case " $* " in
  *" --dry-run "*) exit {dry_run_code};;
esac
out=$(sed -n 's/.*--out \\([^ ]*\\).*/\\1/p' <<< "$*")
echo model > "$out/new-$(date +%s%N).tar.gz"
"""


def make_model(models: Path, name: str, mtime: int) -> Path:
    path = models / name
    path.write_text("model")
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def models(tmp_path: Path) -> Path:
    directory = tmp_path / "models"
    directory.mkdir()
    return directory


def fake_rasa(tmp_path: Path, dry_run_code: int) -> Path:
    script = tmp_path / "rasa"
    script.write_text(FAKE_RASA.format(log=tmp_path / "calls", dry_run_code=dry_run_code))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def calls(tmp_path: Path) -> List[str]:
    log = tmp_path / "calls"
    return log.read_text().splitlines() if log.exists() else []


def test_digest_changes_with_any_input_file_and_not_with_other_files(tmp_path: Path) -> None:
    for name in ("domain.yml", "config.yml", "data/nlu.yml", "data/rules/a.yml", "README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    before = train.inputs_digest(tmp_path)
    (tmp_path / "README.md").write_text("changed")
    assert train.inputs_digest(tmp_path) == before
    for name in ("domain.yml", "config.yml", "data/rules/a.yml"):
        (tmp_path / name).write_text("changed")
        assert train.inputs_digest(tmp_path) != before, name
        (tmp_path / name).write_text("x")
    assert train.inputs_digest(tmp_path) == before
    (tmp_path / "data" / "rules" / "b.yml").write_text("")
    assert train.inputs_digest(tmp_path) != before


def test_no_model_or_no_record_or_changed_inputs_train_without_asking_rasa(models: Path) -> None:
    def dry_run() -> int:
        raise AssertionError("the dry run is not needed to decide")

    assert "no model" in train.reason_to_train(models, "d1", dry_run)
    make_model(models, "a.tar.gz", 100)
    assert "no record" in train.reason_to_train(models, "d1", dry_run)
    train.write_record(models, {"a.tar.gz": "d0"})
    assert "changed" in train.reason_to_train(models, "d1", dry_run)


def test_the_newest_models_record_counts_not_an_older_ones(models: Path) -> None:
    """A change and its revert: an older model matches, the newest does not, so train."""
    make_model(models, "old.tar.gz", 100)
    make_model(models, "new.tar.gz", 200)
    train.write_record(models, {"old.tar.gz": "d1", "new.tar.gz": "d2"})
    assert train.reason_to_train(models, "d1", lambda: 0) is not None
    assert train.reason_to_train(models, "d2", lambda: 0) is None


@pytest.mark.parametrize("code", [1, 8, 2])
def test_matching_inputs_still_train_when_the_dry_run_does_not_exit_0(
    models: Path, code: int
) -> None:
    make_model(models, "a.tar.gz", 100)
    train.write_record(models, {"a.tar.gz": "d"})
    assert str(code) in train.reason_to_train(models, "d", lambda: code)


def test_prune_keeps_the_newest_by_time_and_drops_the_others_records(models: Path) -> None:
    for index, name in enumerate(["c.tar.gz", "a.tar.gz", "d.tar.gz", "b.tar.gz"]):
        make_model(models, name, 100 + index)
    (models / "notes.txt").write_text("not a model")
    train.write_record(models, {name: "d" for name in ["a.tar.gz", "b.tar.gz", "c.tar.gz"]})
    removed = train.prune(models, keep=2)
    assert [p.name for p in removed] == ["a.tar.gz", "c.tar.gz"]
    assert sorted(p.name for p in models.iterdir()) == [
        ".trained-inputs.json",
        "b.tar.gz",
        "d.tar.gz",
        "notes.txt",
    ]
    assert train.read_record(models) == {"b.tar.gz": "d"}


def test_main_trains_records_and_prunes_then_skips_the_next_time(
    tmp_path: Path, models: Path
) -> None:
    for index in range(3):
        make_model(models, f"old{index}.tar.gz", 100 + index)
    rasa = str(fake_rasa(tmp_path, dry_run_code=0))
    assert train.main(["--rasa", rasa, "--models", str(models), "--keep", "2"]) == 0
    assert [c for c in calls(tmp_path) if "--dry-run" in c] == []  # no record: trained at once
    kept = train.models_newest_first(models)
    assert len(kept) == 2 and kept[0].name.startswith("new-") and kept[1].name == "old2.tar.gz"
    assert train.read_record(models) == {kept[0].name: train.inputs_digest()}

    assert train.main(["--rasa", rasa, "--models", str(models), "--keep", "2"]) == 0
    assert len(calls(tmp_path)) == 2 and "--dry-run" in calls(tmp_path)[1]  # asked, not trained
    assert train.models_newest_first(models) == kept


def test_main_trains_when_the_dry_run_says_so(tmp_path: Path, models: Path) -> None:
    make_model(models, "a.tar.gz", 100)
    train.write_record(models, {"a.tar.gz": train.inputs_digest()})
    rasa = str(fake_rasa(tmp_path, dry_run_code=1))
    assert train.main(["--rasa", rasa, "--models", str(models)]) == 0
    assert len(calls(tmp_path)) == 2 and "--dry-run" not in calls(tmp_path)[1]
    assert len(train.models_newest_first(models)) == 2
