"""The trial's study file and the answers built from it, in plain Python (no Rasa imports).

Reading the study file (content/study/bemani2023.yml):
- `loading`: `load_study()` / `get_study()`: read the file, validate it, build the `Study`;
- `schema` (with `file_model`): the file declared once as strict pydantic models;
- `checks`: how the sections must agree (source keys, ids, sums, intervals);
- `errors`: `StudyFileError`, every problem as "<file> at '<path>': <problem>";
- `model`: `Study`, the file arranged as the answers use it; `names`: names -> ids.

Answering from it:
- `queries`, `answer`, `design_answers`: the answers to trial questions, every figure with its source;
- `chart`: the pain-over-time chart, drawn from the same figures.
"""
