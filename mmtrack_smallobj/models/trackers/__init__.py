"""Trackers (association of candidates over frames) registered into MODELS."""
