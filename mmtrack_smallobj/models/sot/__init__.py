"""Single-object tracking models registered into mmtrack's MODELS registry."""
