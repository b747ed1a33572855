"""The steps `make` runs (setup, build, validate, serve): run as `python scripts/<name>.py`.

The project is installed into .venv in editable mode (scripts/setup.sh), so these scripts import
`actions`, `backpain` and the rest without editing `sys.path`.
"""
