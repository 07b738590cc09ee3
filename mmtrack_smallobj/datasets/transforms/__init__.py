"""Data transforms registered into mmtrack's TRANSFORMS registry."""
