"""Saved feature arrays read on demand, and many short strings packed in one buffer.

A saved FeatureSpace at 100,000 papers is a few hundred megabytes of `.npy` arrays. Mapping them
into memory would let each query's page faults (and the kernel's fault-around) count the touched
file pages in the process's resident size, which grows with every query; reading exactly the
byte ranges a query needs with `os.pread` keeps the process's memory to what it computes with,
and the page cache shares the rest with other processes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import overload

import numpy as np


class FileArray:
    """A one-dimensional `.npy` array (numpy's format, read with numpy.lib.format) whose
    elements are read from the file when sliced (`a[i:j]`, step 1), by one `os.pread` each.

    Thread-safe (pread has no file position). Raises ValueError for a file that is not a plain
    one-dimensional array or is shorter than its header says, OSError when unreadable.
    """

    def __init__(self, path: Path) -> None:
        self._fd: int | None = None
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            self.offset = handle.tell()
            size = os.fstat(handle.fileno()).st_size
        if fortran or dtype.hasobject or len(shape) != 1:
            raise ValueError(f"{path.name}: not a one-dimensional plain array")
        self.dtype: np.dtype = dtype
        self.length = int(shape[0])
        if size < self.offset + self.length * dtype.itemsize:
            raise ValueError(f"{path.name}: truncated")
        self.path = path
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def __len__(self) -> int:
        return self.length

    @property
    def nbytes(self) -> int:
        """Bytes of the elements on disk (none of them held in memory)."""
        return self.length * self.dtype.itemsize

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice):
            raise TypeError("a FileArray is read by slices")
        start, stop, step = key.indices(self.length)
        if step != 1:
            raise ValueError("a FileArray is read by contiguous slices")
        count = max(0, stop - start)
        if count == 0:
            return np.zeros(0, dtype=self.dtype)
        if self._fd is None:
            raise ValueError(f"{self.path.name}: closed")
        size = self.dtype.itemsize
        data = os.pread(self._fd, count * size, self.offset + start * size)
        if len(data) != count * size:
            raise OSError(f"{self.path}: short read (file changed?)")
        return np.frombuffer(data, dtype=self.dtype)

    def ranges(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The elements `[starts[i]:ends[i]]` of every range, one after the other, as one
        array: one `os.pread` per non-empty range and no array per range (what gathering a
        few thousand rows of a matrix costs, where `a[i:j]` per row made one each). Ranges
        must lie within the array; ValueError once closed, OSError for a short read."""
        if self._fd is None:
            raise ValueError(f"{self.path.name}: closed")
        size = self.dtype.itemsize
        fd, offset = self._fd, self.offset
        wanted = [
            (int(s), int(e)) for s, e in zip(starts.tolist(), ends.tolist(), strict=True) if e > s
        ]
        if any(s < 0 or e > self.length for s, e in wanted):
            raise ValueError(f"{self.path.name}: range outside the array")
        chunks = [os.pread(fd, (e - s) * size, offset + s * size) for s, e in wanted]
        data = b"".join(chunks)
        if len(data) != sum(e - s for s, e in wanted) * size:
            raise OSError(f"{self.path}: short read (file changed?)")
        return np.frombuffer(data, dtype=self.dtype)

    def close(self) -> None:
        """Close the file; later reads raise ValueError."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()


class Strings(Sequence[str]):
    """Many short strings in one UTF-8 buffer: `blob` uint8 `[bytes]`, `offsets` int64
    `[len + 1]`; string i is `blob[offsets[i]:offsets[i + 1]]`. A list of 900,000 feature names
    takes about 100 MB as Python strings and a tenth of that here; both arrays may be
    FileArrays."""

    def __init__(self, blob: np.ndarray | FileArray, offsets: np.ndarray | FileArray) -> None:
        self.blob = blob
        self.offsets = offsets
        self._index: dict[str, int] | None = None

    @classmethod
    def of(cls, items: Sequence[str]) -> Strings:
        """Pack a sequence of strings."""
        encoded = [s.encode("utf-8") for s in items]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError("string index out of range")
        i %= len(self)
        start, end = (int(x) for x in self.offsets[i : i + 2])
        return bytes(self.blob[start:end]).decode("utf-8")

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Position of `value` (a dict is built on first use); ValueError when absent."""
        if self._index is None:
            self._index = {}
            for pos in range(len(self) - 1, -1, -1):
                self._index[self[pos]] = pos
        found = self._index.get(value) if isinstance(value, str) else None
        if found is None or found < start or (stop is not None and found >= stop):
            raise ValueError(f"{value!r} is not in the strings")
        return found
