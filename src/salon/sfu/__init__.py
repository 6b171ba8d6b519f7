"""Group rooms on an SFU: Salon drives Janus's VideoRoom on the browsers' behalf.

rooms.service ──GroupMedia──► group_media.py ──► pool.py ──► janus_client.py ──WS──► Janus
                                               ▲
                               process.py (a managed Janus) · placement.py (external ones)
turn.py: time-limited TURN credentials for every join answer
"""
