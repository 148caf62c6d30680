"""The language a description is written in (py3langid: a naive Bayes model shipped inside
the package, so it works offline). Only "is this another-language copy?" depends on it."""

from __future__ import annotations

import math
import mmap
import os
from functools import cache
from pathlib import Path

import numpy as np

from aggregator import user_cache

MIN_CHARS = 200  # shorter texts are left undetermined
MIN_CONFIDENCE = 0.9  # below this (mixed-language, code, lists of names) the language is unknown
# Characters read: the classifier's cost grows with them; 400 gave the answers 600 did on every
# posting of the recorded months (dedup fixtures), 300 did not.
_SAMPLE = 400

# The model's arrays, as py3langid's loader returns them (in this order), each kept as a .npy file.
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output")
_CACHE_KIND = "langid"


@cache
def identifier():
    """py3langid's classifier on the model's arrays mapped from the cache folder, answering as the
    packaged model does, bit for bit. Pages of the model (~70 MB unpacked) enter the process's
    memory only as texts reach them (:func:`_mapped`), and no process unpacks it again (0.5 s)."""
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = _model_arrays()
    found = LanguageIdentifier(
        ptc, pc, classes.tolist(), memoryview(nextmove), memoryview(output), norm_probs=True, tk_row=()
    )
    found.tk_row = memoryview(row)
    # py3langid keeps every row's offset, pre-shifted, in a list of ~100k ints (4 MB in each writer
    # process): the same values, read the same way (``rowbase[state]``), in one array (0.8 MB).
    found._rowbase = memoryview(row.astype(np.int64) << 8)
    return found


def _model_arrays() -> list[np.ndarray]:
    """The packaged model's arrays, memory-mapped from the cache folder (unpacked there on first use
    from py3langid's compressed file, by its own loader)."""
    inputs = user_cache.inputs_digest((Path(__file__),), (("py3langid", ("*.py", "data/*")),))
    folder = user_cache.cache_path(_CACHE_KIND, inputs, "")
    if folder is None:
        return _unpacked_model()
    try:
        return _mapped(folder)
    except (OSError, ValueError):
        pass  # not unpacked yet, or unreadable: unpack it
    arrays = _unpacked_model()
    user_cache.keep(folder, _CACHE_KIND, inputs, lambda temporary: _save(temporary, arrays))
    try:
        return _mapped(folder)
    except (OSError, ValueError):
        return arrays  # the cache folder cannot be written: the arrays stay in memory


def _mapped(folder: Path) -> list[np.ndarray]:
    return [_mapped_array(folder / f"{name}.npy") for name in _ARRAYS]


def _mapped_array(path: Path) -> np.ndarray:
    """A read-only view of a .npy file's array, mapped for random access. A text reaches a few
    hundred scattered rows of the model; by default the kernel maps the 64 KB around each page a
    text reaches, so a month of postings brought ~60 MB of the model into the writer's memory, most
    of it never read. Marked random, it maps only the pages read (~25 MB), once they are in the page
    cache one by one (:func:`_save`)."""
    with open(path, "rb") as file:
        version = np.lib.format.read_magic(file)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(file)
        offset = file.tell()
        mapping = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mmap, "MADV_RANDOM"):  # not on Windows
        mapping.madvise(mmap.MADV_RANDOM)
    array = np.frombuffer(mapping, dtype=dtype, count=math.prod(shape), offset=offset)
    return array.reshape(shape, order="F" if fortran_order else "C")


def _unpacked_model() -> list[np.ndarray]:
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    return [
        np.asarray(ptc),
        np.asarray(pc),
        np.asarray(classes),
        np.asarray(nextmove),  # array.array('I'/'H'): same item type as numpy
        np.asarray(row),
        np.asarray(output, dtype=np.int32),  # feature per state, -1 for none: int32 in the packaged file
    ]


def _save(folder: Path, arrays: list[np.ndarray]) -> None:
    folder.mkdir()
    for name, array in zip(_ARRAYS, arrays, strict=True):
        with open(folder / f"{name}.npy", "wb") as file:
            np.save(file, array, allow_pickle=False)
            file.flush()
            # Written, the file sits in the page cache in large blocks, which a process mapping it
            # then maps whole (up to 2 MB for one page read); dropped, it comes back page by page
            # as it is read (see _mapped_array).
            os.fsync(file.fileno())
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short or unclear."""
    text = text.strip()
    if len(text) < MIN_CHARS:
        return None
    language, confidence = identifier().classify(text[:_SAMPLE])
    return language if confidence >= MIN_CONFIDENCE else None
