"""Necks registered into mmtrack's MODELS registry."""
