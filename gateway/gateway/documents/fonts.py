"""The TrueType font with Chinese glyphs the forms are set in, embedded (subset) in each
PDF so a form prints the same on any machine. The path is the setting
``GATEWAY_PDF_FONT`` (default Debian's fonts-wqy-zenhei, installed by
``deploy/ensure-documents.sh``); a collection (.ttc) gives its first face."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from servicekit.errors import ServiceUnavailable

_registered: dict[str, str] = {}
_lock = threading.Lock()


class PdfFontMissing(ServiceUnavailable):
    code = "pdf_font_missing"
    default_message = (
        "The gateway has no font with Chinese glyphs to print forms: install Debian's "
        "fonts-wqy-zenhei (bash deploy/ensure-documents.sh) or set GATEWAY_PDF_FONT to a "
        "TrueType font (.ttf/.ttc) that has them."
    )


def cjk_font(path: str | Path) -> str:
    """The ReportLab name of the font at ``path``, registered once per process;
    ``PdfFontMissing`` (503) naming the path when it is missing or not TrueType."""
    key = str(path)
    with _lock:
        if key in _registered:
            return _registered[key]
        name = f"CJK{len(_registered)}"
        if not Path(key).is_file():
            raise PdfFontMissing(details={"GATEWAY_PDF_FONT": key, "problem": "no such file"})
        try:
            pdfmetrics.registerFont(TTFont(name, key, subfontIndex=0))
        except (TTFError, OSError) as exc:
            raise PdfFontMissing(details={"GATEWAY_PDF_FONT": key, "problem": str(exc)}) from exc
        _registered[key] = name
        return name
