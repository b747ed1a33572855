"""What the tests share: the real servers (harness), PostgreSQL and Redis (services), the chat page
in chromium (browser), and the one tracker builder, dispatcher and Rasa-loaded domain for action tests (doubles)."""
