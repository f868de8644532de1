"""Convert a DOCX to PDF with LibreOffice after updating its table of contents and fields, as
Word does when it offers to update the fields on opening. `libreoffice --convert-to pdf` alone
would print the contents field's placeholder text.

Runs under the system Python that has LibreOffice's `uno` module (Debian: python3-uno):

    /usr/bin/python3 benchmarks/lo_pdf.py REPORT.docx REPORT.pdf
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def _property(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, seconds: float = 60) -> object:
    """The component context of the LibreOffice listening on `pipe`."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise SystemExit("LibreOffice did not start within a minute") from None
            time.sleep(0.5)


def convert(source: Path, target: Path) -> None:
    """Open `source` hidden, update its indexes and fields twice, export `target` as PDF."""
    pipe = f"kvali_render_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="kvali-lo-") as profile:
        office = subprocess.Popen([
            "soffice", "--headless", "--invisible", "--norestore", "--nologo",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            f"--accept=pipe,name={pipe};urp;"])
        try:
            context = _connect(pipe)
            desktop = context.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", context)
            document = desktop.loadComponentFromURL(
                source.resolve().as_uri(), "_blank", 0, (_property("Hidden", True),))
            for _ in range(2):  # the contents take pages, which moves the page numbers
                indexes = document.getDocumentIndexes()
                for index in range(indexes.getCount()):
                    indexes.getByIndex(index).update()
                document.getTextFields().refresh()
                document.refresh()
            document.storeToURL(target.resolve().as_uri(),
                                (_property("FilterName", "writer_pdf_Export"),))
            document.close(True)
            desktop.terminate()
        finally:
            try:
                office.wait(timeout=30)
            except subprocess.TimeoutExpired:
                office.kill()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
