"""Assistant: hybrid retrieval, extractive answers and citations (``python -m assistant ask``)."""
