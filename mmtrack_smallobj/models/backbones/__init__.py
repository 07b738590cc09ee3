"""Backbones registered into mmtrack's MODELS registry."""
