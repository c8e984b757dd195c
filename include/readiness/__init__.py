"""Generative-AI readiness warehouse."""
