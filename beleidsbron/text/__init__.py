"""Dutch text at the level both sides share: normalisation, sentence spans, analysis for BM25."""
