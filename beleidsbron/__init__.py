"""Shared foundation of Beleidsbron: what the write side (ingest) and the read side (assistant, app) both use:
settings, domain types, the store and its lexical index, the embedding engines and Dutch text analysis.

Importing this package switches off every outbound call the libraries would make on their own
(Chroma telemetry, Gradio analytics, Hugging Face hub look-ups): the product runs air-gapped.
"""

import os

for _name, _value in {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)
