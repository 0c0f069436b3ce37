"""Python-Markdown's `fenced_code` extension, imported without Pygments.

`fenced_code` imports `codehilite`, which imports Pygments (about 30 ms, one
twentieth of a one-lesson rebuild) for the highlighting that only the
codehilite extension does. That extension is not enabled here, so fenced code
becomes `<pre><code class="language-x">` either way: the import is made with
Pygments out of sight, unless something in this process has imported it already.
"""

from __future__ import annotations

import importlib
import sys

if "pygments" in sys.modules or "markdown.extensions.fenced_code" in sys.modules:
    fenced_code = importlib.import_module("markdown.extensions.fenced_code")
else:
    sys.modules["pygments"] = None  # `import pygments` raises ImportError while this is here
    try:
        fenced_code = importlib.import_module("markdown.extensions.fenced_code")
    finally:
        del sys.modules["pygments"]
