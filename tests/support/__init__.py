"""What the tests share: the real servers (harness), PostgreSQL and Redis (services), the chat page
in chromium (browser), and doubles of the action server's tracker and dispatcher (script_doubles)."""
