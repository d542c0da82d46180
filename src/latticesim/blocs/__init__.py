"""Landscape theory of aggregation: the two blocs that actors' views imply."""
