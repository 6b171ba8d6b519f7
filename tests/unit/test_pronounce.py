"""espeak-ng's phoneme mnemonics to ARPAbet (pure), checked against CMU dictionary entries."""

import pytest

from salon.transcription.pronounce import arpabet


@pytest.mark.parametrize(
    ("mnemonics", "expected"),
    [
        ("'eId@", "EY D AH"),  # ada
        ("br'u:noU", "B R UW N OW"),  # bruno
        ("m'A@t#@", "M AA R T AH"),  # marta
        ("T'3:zdeI", "TH ER Z D EY"),  # thursday
        ("kl'oUi", "K L OW IY"),  # chloe
        ("pr'Ij@", "P R IH Y AH"),  # priya, not in the dictionary
        ("0k'O2NkwoU", "AA K AO NG K W OW"),  # okonkwo, not in the dictionary
        ("", ""),
    ],
)
def test_mnemonics_become_the_dictionarys_phones(mnemonics: str, expected: str) -> None:
    assert " ".join(arpabet(mnemonics)) == expected
