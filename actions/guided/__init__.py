"""Rasa glue for the guided scripts: the forms' validators and the actions around them.

- checks: the shared answer checks (a rating, yes/no, a list, free text), each in one sentence;
- validation: the base validator, which tells an answer from a question, a command or a worry;
- forms, exposure_forms: one validator per form (`validate_<form>`);
- flow: start, pause, resume and the questions that depend on earlier answers;
- summaries: what each script gives back at the end, and the saved plan and ladder.

The clinical rules live in backpain/ (fear_ladder, pacing_rules, answer_parsing); the forms'
steps and every sentence in domain.yml. (Not named `scripts`: rasa_sdk walks subpackages
with pkgutil, which would import the top-level `scripts/` package in its place.)
"""
