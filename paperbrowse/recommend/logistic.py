"""L2-regularised logistic regression on sparse rows, fitted by L-BFGS, in numpy.

Minimises `sum_i s_i * log(1 + exp(-y_i * (x_i . w + b))) + ||w||^2 / (2 * C)` over `w` and the
(unregularised) intercept `b`: the objective of scikit-learn's `LogisticRegression(C=C)` with
sample weights `s_i` (scikit-learn's user guide, "Logistic regression"). L-BFGS follows Nocedal
& Wright, *Numerical Optimization* (2nd ed.), Algorithm 7.4 (two-loop recursion) with a
backtracking Armijo line search.

Only the columns that occur in the training rows can get a non-zero weight (the penalty drives
every other weight to zero), so the problem is solved over those columns alone: a few thousand
for a user's triage, however large the library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperbrowse.recommend.sparse import SparseRows


@dataclass(frozen=True)
class Fit:
    """A fitted model: `weights` float64 [n_cols] (zero outside the training rows' columns),
    `bias`, the iterations used and whether the gradient tolerance was met."""

    weights: np.ndarray
    bias: float
    iterations: int
    converged: bool


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS: OpenBLAS may run a long `np.dot` on several threads, which
    on a busy two-core machine is measured 20-50 times slower than this one pass."""
    return float(np.multiply(a, b).sum())


def _log1pexp(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(z)) without overflow."""
    found: np.ndarray = np.logaddexp(0.0, z)
    return found


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def fit_logistic(
    x: SparseRows,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    c: float = 1.0,
    max_iter: int = 200,
    tol: float = 1e-5,
    memory: int = 10,
) -> Fit:
    """Fit on rows `x` (n x d) with labels `y` in {+1, -1} (length n).

    `c` is the inverse regularisation strength (larger: weaker penalty). Raises ValueError when
    `y` has another length or holds values other than +1/-1, or when `c` is not positive.
    """
    n = x.n_rows
    y = np.asarray(y, dtype=np.float64)
    if len(y) != n or not np.all(np.abs(y) == 1.0):
        raise ValueError("y must hold +1 or -1 for every row")
    if c <= 0:
        raise ValueError("c must be positive")
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    cols, local = np.unique(x.indices, return_inverse=True)
    compact = SparseRows(x.indptr, local.ravel().astype(np.int32), x.data, len(cols))
    d = len(cols)
    lam = 1.0 / c
    # Made once, not per evaluation: each entry's row, and the values in float64. x.w and
    # x'.r are then one bincount each (each sum taken in stored order, as SparseRows.dot).
    row_of = np.repeat(np.arange(n, dtype=np.int64), compact.lengths())
    values = compact.data.astype(np.float64)
    columns = compact.indices.astype(np.int64)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], theta[d]
        z = y * (np.bincount(row_of, weights=values * w[columns], minlength=n) + b)
        loss = _dot(s, _log1pexp(-z)) + 0.5 * lam * _dot(w, w)
        r = -s * y * _sigmoid(-z)  # d loss / d (x.w + b)
        grad = np.empty(d + 1)
        grad[:d] = np.bincount(columns, weights=values * r[row_of], minlength=d) + lam * w
        grad[d] = r.sum()
        return loss, grad

    theta = np.zeros(d + 1)
    f, g = objective(theta)
    history: list[tuple[np.ndarray, np.ndarray, float]] = []
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        if float(np.max(np.abs(g))) <= tol:
            converged = True
            break
        direction = -_two_loop(g, history)
        slope = _dot(g, direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            history.clear()
            direction, slope = -g, -_dot(g, g)
        step = 1.0 if history else min(1.0, 1.0 / max(float(np.max(np.abs(g))), 1e-12))
        while True:
            candidate = theta + step * direction
            f_new, g_new = objective(candidate)
            if f_new <= f + 1e-4 * step * slope or step < 1e-12:
                break
            step *= 0.5
        s_k, y_k = candidate - theta, g_new - g
        sy = _dot(s_k, y_k)
        if sy > 1e-12:
            history.append((s_k, y_k, 1.0 / sy))
            if len(history) > memory:
                history.pop(0)
        theta, f, g = candidate, f_new, g_new
    weights = np.zeros(x.n_cols)
    weights[cols] = theta[:d]
    return Fit(weights, float(theta[d]), iteration, converged)


def _two_loop(g: np.ndarray, history: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """The L-BFGS approximation of the inverse Hessian times `g`."""
    q = g.copy()
    alphas = []
    for s_k, y_k, rho in reversed(history):
        a = rho * _dot(s_k, q)
        alphas.append(a)
        q -= a * y_k
    if history:
        s_k, y_k, _ = history[-1]
        q *= _dot(s_k, y_k) / _dot(y_k, y_k)
    for (s_k, y_k, rho), a in zip(history, reversed(alphas), strict=True):
        b = rho * _dot(y_k, q)
        q += (a - b) * s_k
    direction: np.ndarray = q
    return direction
