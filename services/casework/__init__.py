"""Casework: departments handle petition and litigation-related grievances under the statutory clocks."""
