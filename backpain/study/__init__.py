"""The trial's study file and the answers built from it, in plain Python (no Rasa imports).

- `model`: the study file (content/study/bemani2023.yml) read and checked into typed objects;
- `queries`, `answer`, `design_answers`: the answers to trial questions, every figure with its source;
- `chart`: the pain-over-time chart, drawn from the same figures.
"""
