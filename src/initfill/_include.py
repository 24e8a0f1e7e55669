"""Where the C headers of initfill are, for extensions that use its C API."""
from __future__ import annotations

import os


def get_include() -> str:
    """Return the folder that holds initfill's public C headers.

    Add it to the include path of a C, C++ or Cython extension and write
    ``#include "initfill/initfill.h"`` (the plain C functions) or
    ``#include "initfill/initfill_capi.h"`` (the same functions, called through the
    capsule ``initfill._C_API`` without linking to initfill).  ``cimport initfill``
    in Cython needs this folder too.

    Returns
    -------
    str
        ``<package>/include`` in an installed package; the ``csrc/include`` folder of the
        source tree in an editable (development) install.

    Examples
    --------
    >>> import os, initfill
    >>> os.path.isfile(os.path.join(initfill.get_include(), "initfill", "initfill.h"))
    True
    """
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "include")
    if os.path.isfile(os.path.join(installed, "initfill", "initfill_capi.h")):
        return installed
    source = os.path.join(os.path.dirname(os.path.dirname(here)), "csrc", "include")
    if os.path.isfile(os.path.join(source, "initfill", "initfill_capi.h")):
        return source
    raise FileNotFoundError(
        "initfill's C headers are missing from this installation "
        f"(looked in {installed} and {source})"
    )
