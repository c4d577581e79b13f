"""Evals: measured retrieval/answer quality (``python -m evals``) and speed (``python -m evals.bench``)."""
