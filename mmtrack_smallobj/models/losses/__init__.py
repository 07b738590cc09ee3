"""Losses (mmdet's loss contract) registered into mmtrack's MODELS registry."""
