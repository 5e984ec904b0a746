"""Feedback's pure rules: what the citizen reads, when an answer may be rated (回访) or reviewed
(复查/复核), when 不满意 asks for 重办, the satisfaction figures, and how webhooks are retried.
No I/O here (the import contract in .importlinter holds it)."""
