"""The plain-Python core of the back-pain assistant: no Rasa imports, testable offline.

Rasa's NLU components (components/), the action server (actions/), scripts/ and bench/ build on
it. Today it holds the sentence encoder and the safety layers beyond the patterns; see the
README's layout table.
"""
