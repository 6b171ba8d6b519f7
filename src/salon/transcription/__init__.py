"""Transcripts of cloud recordings: speech engines, the transcription job and its service."""
