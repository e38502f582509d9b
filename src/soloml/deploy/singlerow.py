"""One-row predictions through LightGBM's C "fast single row" API.

`Booster.predict` spends most of a one-row call in Python (parameter copies, array checks, ctypes
casts): a few hundred microseconds on a busy machine for a few tens of the actual tree walk. The C
library's `LGBM_BoosterPredictForMatSingleRowFast` takes a configuration prepared once per model and
just walks the trees. `SingleRow.create` checks its output against `Booster.predict` on varied rows and
returns None when they differ, so callers fall back to `Booster.predict`.
"""

from __future__ import annotations

import ctypes

import lightgbm as lgb
import numpy as np
from lightgbm.basic import _LIB, _safe_call

PREDICT_NORMAL = 0
PREDICT_LEAF_INDEX = 2
DTYPE_FLOAT64 = 1


class SingleRow:
    """predict(row) for one float64 row of the model's width; not thread-safe (the service calls it from one loop)."""

    def __init__(self, booster: lgb.Booster, kind: int, width: int, out_size: int) -> None:
        self._booster = booster  # keeps the model alive as long as the configuration
        self._handle = ctypes.c_void_p()
        _safe_call(
            _LIB.LGBM_BoosterPredictForMatSingleRowFastInit(
                booster._handle,
                ctypes.c_int(kind),
                ctypes.c_int(0),
                ctypes.c_int(-1),
                ctypes.c_int(DTYPE_FLOAT64),
                ctypes.c_int32(width),
                ctypes.c_char_p(b"num_threads=1"),
                ctypes.byref(self._handle),
            )
        )
        self.width = width
        self.inp = np.zeros(width, dtype=np.float64)
        self._inp_ptr = ctypes.c_void_p(self.inp.ctypes.data)
        self.out = np.zeros(out_size, dtype=np.float64)
        self._out_ptr = self.out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        self._len = ctypes.c_int64(0)
        self._len_ref = ctypes.byref(self._len)
        self._fn = _LIB.LGBM_BoosterPredictForMatSingleRowFast

    @classmethod
    def create(cls, booster: lgb.Booster, kind: int = PREDICT_NORMAL) -> SingleRow | None:
        width = booster.num_feature()
        if kind == PREDICT_LEAF_INDEX:
            size, reference = booster.num_trees(), lambda X: booster.predict(X, pred_leaf=True, num_threads=1)
        else:
            size, reference = booster.num_model_per_iteration(), lambda X: booster.predict(X, num_threads=1)
        try:
            fast = cls(booster, kind, width, size)
        except (lgb.basic.LightGBMError, AttributeError):
            return None
        rng = np.random.default_rng(1)
        X = np.concatenate(
            [
                rng.normal(0, 1, (20, width)),
                rng.normal(0, 50, (20, width)),
                rng.integers(0, 6, (20, width)).astype(float),
            ]
        )
        X[rng.random(X.shape) < 0.1] = np.nan
        expected = np.asarray(reference(X)).reshape(len(X), -1)
        got = np.stack([fast(x).copy() for x in X])
        return fast if got.shape == expected.shape and np.allclose(got, expected, rtol=1e-12, atol=1e-12) else None

    def __call__(self, row: np.ndarray) -> np.ndarray:
        """The prediction (or leaf indices) of one row of the model's width; the returned buffer is reused."""
        self.inp[:] = row
        if self._fn(self._handle, self._inp_ptr, self._len_ref, self._out_ptr) != 0:
            _safe_call(-1)
        return self.out

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            _LIB.LGBM_FastConfigFree(handle)
            self._handle = ctypes.c_void_p()
