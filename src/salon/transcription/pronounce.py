"""Pronunciations for words a dictionary lacks (participants' names): espeak-ng's phoneme
mnemonics (`espeak-ng -q -x`) turned into the ARPAbet phones of CMU dictionaries. Pure.

Greedy longest match over `_PHONES`; stress marks, syllable and length marks the table does not
name are dropped. The result is a guess good enough to let a decoder consider the word at all,
which it cannot do for a word out of its dictionary.
"""

_PHONES = {
    # vowels and diphthongs (longest first when matching)
    "aI@": "AY ER", "aU@": "AW ER", "eI": "EY", "aI": "AY", "aU": "AW", "oU": "OW", "OI": "OY",
    "e@": "EH R", "i@": "IH R", "I@": "IH R", "U@": "UH R", "o@": "AO R", "A@": "AA R",
    "O@": "AO R", "3:": "ER", "A:": "AA", "O:": "AO", "i:": "IY", "u:": "UW", "a#": "AH",
    "@L": "AH L", "@2": "AH", "@5": "AH", "I2": "IH", "I#": "IH", "02": "AA", "O2": "AO",
    "aa": "AE", "a": "AE", "A": "AA", "E": "EH", "I": "IH", "0": "AA", "O": "AO", "V": "AH",
    "U": "UH", "@": "AH", "3": "ER", "i": "IY", "u": "UW", "e": "EH", "o": "OW",
    # consonants
    "tS": "CH", "dZ": "JH", "t#": "T", "r-": "R", "T": "TH", "D": "DH", "S": "SH", "Z": "ZH",
    "N": "NG", "j": "Y", "w": "W", "r": "R", "l": "L", "m": "M", "n": "N", "p": "P", "b": "B",
    "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V", "s": "S", "z": "Z", "h": "HH",
    "x": "K", "*": "T",
}  # fmt: skip
_LONGEST = max(len(key) for key in _PHONES)


def arpabet(mnemonics: str) -> list[str]:
    """espeak-ng's mnemonics for one word as ARPAbet phones (none for an empty word)."""
    phones: list[str] = []
    index = 0
    while index < len(mnemonics):
        for size in range(_LONGEST, 0, -1):
            found = _PHONES.get(mnemonics[index : index + size])
            if found is not None:
                phones.extend(found.split())
                index += size
                break
        else:
            index += 1  # a stress, length or syllable mark
    return phones
