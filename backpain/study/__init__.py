"""The trial's study file and the answers built from it, in plain Python (no Rasa imports).

Reading the study file (content/study/bemani2023.yml):
- `loading`: `load_study()` / `get_study()`: read the file, validate it, build the `Study`;
- `schema` (with `file_model`): the file declared once as strict pydantic models;
- `checks`: how the sections must agree (source keys, ids, sums, intervals);
- `errors`: `StudyFileError`, every problem as "<file> at '<path>': <problem>";
- `model`: `Study`, the file arranged as the answers use it; `names`: names -> ids.

Answering from it, every figure with its source:
- `queries`: `answer_query()` / `answer_follow_up()`, dispatching by kind of query to
  `figure_answers` (figure, change), `comparison_answers` (comparison, effect size),
  `design_answers` (how the trial was run, what it does not report) and `chart`;
- `slots`: entity values -> ids, or the answer that asks which; `phrasing`: shared wording;
- `answer`: the `Answer` and the builder that records where each figure came from;
- `chart`: the pain-over-time chart, drawn from the same figures, and its answer.
"""
