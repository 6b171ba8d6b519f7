"""Insights (Whereby's insights API): rooms, sessions and participants computed from the room
history Salon records, and participants' quality samples sent by their browsers.

    browser ──quality (every 2 s)──► signaling ──► SampleBuffer (memory) ──flush──► insight_samples
    /v1/insights/* ──► InsightsService ──► room_sessions, room_participants, insight_samples
"""
