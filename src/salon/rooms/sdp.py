"""Session descriptions as the server reads them. Pure.

SDP (RFC 8866) is lines ended by CRLF (LF is tolerated); no other character ends a line. Python's
`str.splitlines` also breaks at `\\x0b`, `\\x0c`, `\\x1c`-`\\x1e`, `\\x85`, `\\u2028` and `\\u2029`,
so a line such as `a=x\\x0ba=sendrecv` would hide its `a=sendrecv` from a reader using it while
a browser, which reads the whole line as one attribute, still sends. Salon therefore splits on
CRLF/LF only and refuses any description that holds another control character at all.
"""

import re

_FORBIDDEN = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters and line separators other than CR and LF (a CR is only part of CRLF)."""
_LINE_END = re.compile(r"\r?\n")
_DIRECTIONS = frozenset({"sendrecv", "sendonly", "recvonly", "inactive"})
_RECEIVE_ONLY = frozenset({"recvonly", "inactive"})
_SENDING = frozenset({"sendrecv", "sendonly"})
_MEDIA = frozenset({"audio", "video"})


def has_forbidden_characters(sdp: str) -> bool:
    """Does the description hold a control character other than the CRLF/LF line ends?"""
    return _FORBIDDEN.search(sdp) is not None or "\r" in sdp.replace("\r\n", "")


def lines(sdp: str) -> list[str]:
    """The description's lines, split on CRLF or LF only."""
    return [line for line in _LINE_END.split(sdp) if line]


def _sections(sdp: str) -> tuple[str, list[dict[str, str]]]:
    """The session-level direction (if any) and each media section's kind, port, direction and
    whether it is bundled."""
    session_direction = ""
    sections: list[dict[str, str]] = []
    for line in lines(sdp):
        if line.startswith("m="):
            parts = line[2:].split(" ")
            sections.append({"kind": parts[0], "port": parts[1] if len(parts) > 1 else "0"})
        elif line == "a=bundle-only" and sections:
            sections[-1]["bundled"] = "yes"
        elif line.startswith("a=") and line[2:] in _DIRECTIONS:
            if sections:
                sections[-1]["direction"] = line[2:]
            else:
                session_direction = line[2:]
    return session_direction, sections


def offers_to_send(sdp: str) -> bool:
    """Does a session description offer to send audio or video?

    A media section sends when its direction (its own, else the session's, else the default
    `sendrecv`) is `sendrecv` or `sendonly`, unless the section is rejected: port 0 without
    `a=bundle-only` (a bundled section also carries port 0, and it does send). A description
    with a forbidden character counts as sending: nobody can say what a browser reads in it.
    """
    if has_forbidden_characters(sdp):
        return True
    session_direction, sections = _sections(sdp)
    return any(
        section["kind"] in _MEDIA
        and (section["port"] != "0" or "bundled" in section)
        and section.get("direction", session_direction or "sendrecv") in _SENDING
        for section in sections
    )


def receive_only(sdp: str) -> bool:
    """What a viewer may send: every media section (all but data channels) says `recvonly` or
    `inactive` itself. Defaults and session-level directions do not count: the rule is one a
    reader cannot get wrong."""
    if has_forbidden_characters(sdp):
        return False
    _, sections = _sections(sdp)
    return all(
        section.get("direction") in _RECEIVE_ONLY
        for section in sections
        if section["kind"] != "application"
    )
