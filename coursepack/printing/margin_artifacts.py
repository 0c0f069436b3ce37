"""Running headers and footers marked as artifacts, as PDF/UA asks.

WeasyPrint tags the text of page margin boxes (the course title, the section
title, the edition at the head and foot of each page) with structure elements
that it leaves out of the structure tree on purpose (PDF 1.7 has no tagged
artifacts). Such content is then neither real content nor an artifact: a
checker flags it, and a screen reader may read the header on every page or
not at all. This rewrites each of those marked-content sequences as a
pagination artifact and drops its entry from the parent tree, one PDF (a part)
at a time.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary

_MARKED = re.compile(rb"/\w+\s*<</MCID (\d+)>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def margins_as_artifacts(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        document = root.K[0] if isinstance(root.K, Array) else root.K
        linked = {kid.objgen for kid in (document.K if isinstance(document.K, Array) else [document.K])
                  if isinstance(kid, Dictionary)}
        nums = root.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        outside: dict[tuple[int, int], bool] = {}

        def is_outside(element) -> bool:
            """Whether the element hangs from the Document without being one of its children."""
            chain = []
            while element.objgen not in outside:
                parent = element.get("/P")
                if parent is None or parent.objgen == document.objgen or parent.get("/Type") == "/StructTreeRoot":
                    outside[element.objgen] = parent is not None and element.objgen not in linked
                    break
                chain.append(element)
                element = parent
            for seen in chain:
                outside[seen.objgen] = outside[element.objgen]
            return outside[element.objgen]

        changed = False
        for page in pdf.pages:
            elements = entries.get(int(page.obj.get("/StructParents", -1)))
            if not isinstance(elements, Array):
                continue
            ids = {mcid for mcid, element in enumerate(elements) if isinstance(element, Dictionary) and is_outside(element)}
            if not ids:
                continue
            content = page.obj.Contents
            stream = content.read_bytes()
            stream = _MARKED.sub(lambda m: _ARTIFACT if int(m.group(1)) in ids else m.group(0), stream)
            content.write(stream)  # pikepdf compresses it again on save
            for mcid in ids:
                elements[mcid] = pikepdf.Object.parse(b"null")
            changed = True
        if not changed:
            return data
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
