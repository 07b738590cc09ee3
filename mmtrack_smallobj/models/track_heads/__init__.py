"""Track heads registered into mmtrack's MODELS registry."""
