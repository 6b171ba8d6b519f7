"""Summaries of transcripts: templates, the extractive summariser and an optional LLM client."""
