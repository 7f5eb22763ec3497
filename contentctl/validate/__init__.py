"""Validation: JSON Schemas, then semantic checks across documents; problems come back as values."""
