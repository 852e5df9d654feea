#!/usr/bin/env python3
"""Builds assets/fonts/PortolanFallback.ttf, the font Portolan's theme puts in
front of Fyne's bundled Noto Sans so that names and addresses in every script
render on a machine with no system fonts.

Fyne's own font (Noto Sans) covers Latin, Greek and Cyrillic. This file adds:
  - CJK ideographs, kana and CJK punctuation  from Droid Sans Fallback Full (Apache-2.0)
  - Hangul syllables and jamo                  from NanumGothic             (SIL OFL 1.1)
  - Arabic (with its shaping tables)           from Noto Sans Arabic        (SIL OFL 1.1)
It contains no Latin letters, digits or punctuation, so Latin text keeps Fyne's
font; its spaces are Noto Sans's own (SIL OFL 1.1).

Run on Debian with: apt-get install python3-fonttools fonts-droid-fallback fonts-nanum fonts-noto-core
then: /usr/bin/python3 assets/fonts/build_fallback_font.py
The output is committed; building Portolan does not need this script.
"""
import os
import tempfile

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

HERE = os.path.dirname(os.path.abspath(__file__))
# Spaces come from Noto Sans, the font Fyne uses for Latin text: the text shaper
# keeps a space in the font of the run around it, so a space inside a Japanese
# or Arabic name must exist in this font. Digits and punctuation are left to
# Noto Sans (regular and bold).
COMMON = [(0x20, 0x20), (0xA0, 0xA0), (0x2000, 0x200A), (0x202F, 0x202F)]
# Vertical metrics of Noto Sans, so mixed-script lines share one baseline and height.
NOTO_METRICS = dict(ascent=1069, descent=-293, line_gap=0)
SOURCES = [
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", COMMON),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
     [(0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x31F0, 0x31FF)]),
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
     [(0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)]),
    ("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
     [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]),
]


def prepared(path, ranges, workdir):
    font = TTFont(path)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.hinting = False
    opts.drop_tables += ["vhea", "vmtx", "VORG", "DSIG", "hdmx", "LTSH", "VDMX", "kern", "gasp", "BASE", "JSTF", "meta", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[u for lo, hi in ranges for u in range(lo, hi + 1)])
    sub.subset(font)
    out = os.path.join(workdir, os.path.basename(path))
    font.save(out)
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        parts = [prepared(p, r, tmp) for p, r in SOURCES]
        merged = Merger().merge(parts)
        name = merged["name"]
        for rec in list(name.names):
            if rec.nameID in (1, 4, 16):
                name.setName("Portolan Fallback", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
            if rec.nameID == 6:
                name.setName("PortolanFallback-Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        m = NOTO_METRICS
        merged["hhea"].ascent, merged["hhea"].descent, merged["hhea"].lineGap = m["ascent"], m["descent"], m["line_gap"]
        os2 = merged["OS/2"]
        os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = m["ascent"], m["descent"], m["line_gap"]
        os2.usWinAscent, os2.usWinDescent = m["ascent"], -m["descent"]
        merged.save(os.path.join(HERE, "PortolanFallback.ttf"))


if __name__ == "__main__":
    main()
