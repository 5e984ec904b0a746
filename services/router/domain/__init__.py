"""The router's pure rules: decisions and their reasons, repeat (重复件) and group-case (集体访)
matching, what a reviewer may decide, the citizen's messages and the statistics' arithmetic.

No database, Kafka or HTTP here (an import contract checks it); the classifier is its own package.
"""
