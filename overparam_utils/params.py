"""Chapter parameters: validation of ``scale``, ``seed`` and ``device``, and per-scale size presets.

Every chapter has a papermill ``parameters`` cell with ``scale``, ``seed`` and ``device`` and, right after it,
one ``PRESETS`` dict that declares its sizes for each scale. :func:`select_preset` checks both and
returns the sizes for the chosen scale before any work is done (book page "How this book is built", scales).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from typing import Any

SCALES: tuple[str, ...] = ("smoke", "book", "paper")
"""Allowed values of ``scale``: seconds (tests), the rendered book (about 60 s), closer to the paper."""

DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
"""Allowed values of ``device``: ``auto`` is CUDA when a GPU is visible, else the CPU."""


class ParameterError(ValueError):
    """A chapter parameter has a value outside what is allowed; the message names both."""


def validate_scale(scale: Any) -> str:
    """Return ``scale`` if it is one of :data:`SCALES`, else raise :class:`ParameterError`."""
    if not isinstance(scale, str) or scale not in SCALES:
        allowed = ", ".join(repr(s) for s in SCALES)
        raise ParameterError(f"scale={scale!r} is not allowed; choose one of {allowed}")
    return scale


def validate_seed(seed: Any) -> int:
    """Return ``seed`` as an ``int`` if it is a non-negative integer, else raise :class:`ParameterError`.

    Integral floats such as ``3.0`` are refused as well: a seed is a count, not a measurement.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ParameterError(f"seed={seed!r} is not allowed; use a non-negative integer such as 0, 1, 2")
    if seed < 0:
        raise ParameterError(f"seed={seed!r} is not allowed; use a non-negative integer such as 0, 1, 2")
    return int(seed)


def validate_device(device: Any) -> str:
    """Return ``device`` if it is one of :data:`DEVICES`, else raise :class:`ParameterError`.

    Whether a GPU is there is asked only for ``"cuda"`` (:func:`resolve_device`), so that a chapter
    without torch never imports it.
    """
    if not isinstance(device, str) or device not in DEVICES:
        allowed = ", ".join(repr(d) for d in DEVICES)
        raise ParameterError(f"device={device!r} is not allowed; choose one of {allowed}")
    return device


def gpu_visible() -> bool:
    """Whether torch sees a CUDA device (``False`` without torch)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is pinned in requirements.txt
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str) -> str:
    """``"cpu"`` or ``"cuda"`` for a validated ``device``; ``"cuda"`` without a GPU is a :class:`ParameterError`."""
    if device == "cuda" and not gpu_visible():
        raise ParameterError(
            "device='cuda' is not allowed here: no GPU is visible (torch.cuda.is_available() is False); "
            "use 'cpu' or 'auto'"
        )
    if device == "auto":
        return "cuda" if gpu_visible() else "cpu"
    return device


class Preset(Mapping[str, Any]):
    """Read-only sizes of one scale, readable as ``cfg.n_train`` or ``cfg["n_train"]``."""

    def __init__(self, scale: str, values: Mapping[str, Any]):
        self._scale = scale
        self._values = dict(values)

    @property
    def scale(self) -> str:
        return self._scale

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            known = ", ".join(sorted(self.__dict__.get("_values", {})))
            raise AttributeError(f"preset {self.__dict__.get('_scale')!r} has no {name!r} (it has: {known})") from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def pick(self, *names: str) -> dict[str, Any]:
        """The values of ``names`` as a dict, e.g. ``ch.glue(**cfg.pick("n_train", "width"))``."""
        missing = [n for n in names if n not in self._values]
        if missing:
            known = ", ".join(sorted(self._values))
            raise KeyError(f"preset {self._scale!r} has no {', '.join(map(repr, missing))} (it has: {known})")
        return {n: self._values[n] for n in names}

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={_short(v)}" for k, v in self._values.items())
        return f"Preset({self._scale}: {items})"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def select_preset(presets: Mapping[str, Mapping[str, Any]], scale: Any) -> Preset:
    """Validate ``scale`` and return its entry of ``presets`` as a :class:`Preset`.

    ``presets`` must define every scale in :data:`SCALES` with the same keys, so that a reader who
    switches scale never meets a missing size. Used by every chapter through :func:`overparam_utils.chapter.setup`.
    """
    scale = validate_scale(scale)
    missing = [s for s in SCALES if s not in presets]
    extra = [s for s in presets if s not in SCALES]
    if missing or extra:
        raise ParameterError(f"PRESETS must define exactly the scales {SCALES}; missing {missing}, unknown {extra}")
    keys = {s: set(presets[s]) for s in SCALES}
    reference = keys[SCALES[0]]
    for s in SCALES[1:]:
        if keys[s] != reference:
            diff = sorted(keys[s] ^ reference)
            raise ParameterError(f"PRESETS[{s!r}] and PRESETS[{SCALES[0]!r}] differ in the keys {diff}")
    return Preset(scale, presets[scale])
