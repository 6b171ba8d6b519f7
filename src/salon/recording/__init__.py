"""Cloud recording: the meeting's options, the recordings kept, their composition and storage."""
