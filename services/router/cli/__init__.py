"""The router's command-line entry points (the ML adapter's own tools; no Kafka, no service):

- ``python -m services.router.cli.classify < in.jsonl > out.jsonl``: batch classification
- ``python -m services.router.cli.train``: train the text model from the corpus
- ``python -m services.router.cli.evaluate``: the held-out, style-shifted and history reports
"""
