"""Ingest: PDF → clean text → chunks → embeddings → ChromaDB (run with ``python -m ingest``)."""
