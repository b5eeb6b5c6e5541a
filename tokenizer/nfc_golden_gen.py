#!/usr/bin/env python3
"""Writes testdata/nfc_golden.txt, the cases TestNFCGolden checks, with
Python's unicodedata as the reference. Each line is the code points of an
input, a tab, and the code points of its NFC form, in hex.

Run from this directory: python3 nfc_golden_gen.py > testdata/nfc_golden.txt
"""
import random
import unicodedata as ud


def hexs(s):
    return " ".join("%X" % ord(c) for c in s)


def main():
    chars = [chr(cp) for cp in range(0x300, 0x110000)
             if not 0xD800 <= cp < 0xE000 and (ud.combining(chr(cp)) or
                                              ud.normalize("NFD", chr(cp)) != chr(cp))
             # Hangul syllables are arithmetic: a sample is enough.
             and (not 0xAC00 <= cp <= 0xD7A3 or cp % 97 == 0)]
    cases = []
    for c in chars:
        cases.append(c)                      # a character alone
        d = ud.normalize("NFD", c)
        if d != c:
            cases.append(d)                  # its decomposition recomposed
    rng = random.Random(1)
    pool = chars + list("aeiouAEOU ,") + [chr(cp) for cp in range(0x1100, 0x1113)] + \
        [chr(cp) for cp in range(0x1161, 0x1176)] + [chr(cp) for cp in range(0x11A8, 0x11C3)] + \
        ["\u09c7", "\u09be", "\u0b47", "\u0b3e", "\uac00", "\uac01"]
    for _ in range(1500):
        cases.append("".join(rng.choice(pool) for _ in range(rng.randint(2, 6))))
    print("# unicodedata %s" % ud.unidata_version)
    for s in cases:
        print("%s\t%s" % (hexs(s), hexs(ud.normalize("NFC", s))))


if __name__ == "__main__":
    main()
