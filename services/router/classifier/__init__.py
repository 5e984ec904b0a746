"""The router's classifier: rules from a YAML data file plus a linear text model, combined.

Pure code: no database, Kafka or HTTP. ``Classifier.load()`` reads the trained artifact.
"""

from services.router.classifier.classifier import Classification, Classifier, Constraints, GrievanceText

__all__ = ["Classification", "Classifier", "Constraints", "GrievanceText"]
