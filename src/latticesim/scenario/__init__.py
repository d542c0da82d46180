"""Scenario files: the schema, YAML read with line numbers, messages, cross-references, loading."""
