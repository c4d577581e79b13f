"""The plain LangChain pipeline every measurement is compared with.

PyPDFLoader (one document per page) → RecursiveCharacterTextSplitter(1000, 200) → Chroma.from_documents
with the same embedding model as the product → top-k similarity search. No cleaning, no hybrid search.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_community.document_loaders import PyPDFLoader
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter


def load_and_split(pdfs: list[Path]) -> list[Document]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    pages = [page for pdf in pdfs for page in PyPDFLoader(str(pdf)).load()]
    return splitter.split_documents(pages)


def build_baseline(pdfs: list[Path], embeddings: Embeddings, path: Path | None = None) -> Chroma:
    """Ingest ``pdfs`` the plain way; an in-memory Chroma unless ``path`` is given."""
    settings = ChromaSettings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(str(path), settings=settings) if path else chromadb.EphemeralClient(settings)
    return Chroma.from_documents(
        load_and_split(pdfs),
        embedding=embeddings,
        client=client,
        collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
        collection_metadata={"hnsw:space": "cosine"},
    )
