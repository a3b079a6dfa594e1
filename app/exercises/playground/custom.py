"""The reader's own data: points drawn on the page (a compact code that travels in the link) or pasted CSV.

The points code. Each point takes four base64url characters (24 bits, no padding): the index
u = round((x₁ + 6)·100) of its first coordinate in bits 23–12, the index v of its second coordinate in
bits 11–1, its class in bit 0. So a coordinate lies in [−6, 6] at 0.01, and 200 points take 800 characters.
For a curve (dataset custom_curve) the two coordinates are x and y and the class bit is ignored, so a
drawing can be read either way. The page (static/js/fflab-playground-data.js) writes the same code.

Pasted CSV has one point a row, `x1,x2,label` (label 0 or 1) or `x,y`; commas, semicolons, tabs or
spaces separate the fields, blank rows and rows starting with # are skipped, and a first row without
numbers is a header. Up to MAX_CSV_ROWS rows of finite numbers within ±MAX_CSV_VALUE; it is sent in the
request (POST /api/playground/train), not in the link.

Every refusal is a Refusal in English and Chinese that names the point (from 1) or the row (a line of
the pasted text, from 1), so the 422 can say where.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np

from app.i18n import Refusal

MAX_LINK_POINTS = 200
MIN_POINTS = 4
COORD_LIMIT = 6.0  # a point of the code lies in [−6, 6]²
COORD_STEP = 0.01
COORD_LEVELS = int(round(2 * COORD_LIMIT / COORD_STEP))  # 1200: indices 0 … 1200
CHARS_PER_POINT = 4
MAX_CODE_LENGTH = MAX_LINK_POINTS * CHARS_PER_POINT
MAX_CSV_ROWS = 1000
MAX_CSV_VALUE = 1000.0
MAX_CSV_LENGTH = 64_000  # 1000 rows of about 60 characters
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[,;\t ]+")


def encode_points(X: np.ndarray, labels: np.ndarray | None = None) -> str:
    """Return the code of points X (N, 2) (rounded to 0.01, clipped to [−6, 6]) with classes `labels` (N,)."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    c = np.zeros(len(X), dtype=int) if labels is None else (np.asarray(labels) > 0.5).astype(int)
    u, v = (np.clip(np.round((X[:, k] + COORD_LIMIT) / COORD_STEP), 0, COORD_LEVELS).astype(int) for k in (0, 1))
    words = (u << 12) | (v << 1) | c
    return "".join(ALPHABET[(w >> s) & 63] for w in words.tolist() for s in (18, 12, 6, 0))


@functools.lru_cache(maxsize=256)
def decode_points(code: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the points (N, 2) and their classes (N,) in a code, or raise Refusal naming the point."""
    code = code.strip()
    n, rest = divmod(len(code), CHARS_PER_POINT)
    if n > MAX_LINK_POINTS or (n == MAX_LINK_POINTS and rest):
        raise Refusal(f"at most {MAX_LINK_POINTS} points travel in the link (this code has {n}); paste larger "
                      "sets as CSV instead.",
                      f"链接中最多保存 {MAX_LINK_POINTS} 个点（此编码有 {n} 个）；更大的数据请以 CSV 粘贴。")
    if rest:
        raise Refusal(f"point {n + 1} is cut off: each point takes {CHARS_PER_POINT} characters and the code has "
                      f"{len(code)} (was the link shortened?).",
                      f"第 {n + 1} 个点不完整：每个点占 {CHARS_PER_POINT} 个字符，而编码有 {len(code)} 个（链接被截断了吗？）。")
    words = []
    for i in range(n):
        chunk = code[CHARS_PER_POINT * i:CHARS_PER_POINT * (i + 1)]
        bad = next((ch for ch in chunk if ch not in _INDEX), None)
        if bad is not None:
            raise Refusal(f"point {i + 1}: “{bad}” is not a character of the code (A–Z a–z 0–9 - _).",
                          f"第 {i + 1} 个点：“{bad}”不是编码中的字符（A–Z a–z 0–9 - _）。")
        w = 0
        for ch in chunk:
            w = (w << 6) | _INDEX[ch]
        u, v = w >> 12, (w >> 1) & 2047
        if u > COORD_LEVELS or v > COORD_LEVELS:
            raise Refusal(f"point {i + 1} lies outside [−{COORD_LIMIT:g}, {COORD_LIMIT:g}]².",
                          f"第 {i + 1} 个点在 [−{COORD_LIMIT:g}, {COORD_LIMIT:g}]² 之外。")
        words.append((u, v, w & 1))
    a = np.array(words, dtype=float).reshape(-1, 3)
    X = np.round(a[:, :2] * COORD_STEP - COORD_LIMIT, 2)
    X.flags.writeable = False  # cached: shared by every caller
    c = a[:, 2].copy()
    c.flags.writeable = False
    return X, c


def _number(field: str) -> float | None:
    try:
        return float(field)
    except ValueError:
        return None


@functools.lru_cache(maxsize=32)
def parse_csv(source: str, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the inputs (N, columns − 1) and targets (N,) of pasted rows, or raise Refusal naming the row.

    columns is 3 (x1, x2, label in {0, 1}) or 2 (x, y)."""
    names = ("x₁", "x₂", "label") if columns == 3 else ("x", "y")
    rows: list[list[float]] = []
    for line_no, line in enumerate(source.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f for f in _SEPARATORS.split(line) if f]
        values = [_number(f) for f in fields]
        if not rows and all(v is None for v in values):
            continue  # a header
        where_en, where_zh = f"row {line_no}", f"第 {line_no} 行"
        if len(fields) != columns:
            want = ",".join(names).replace("₁", "1").replace("₂", "2")
            raise Refusal(f"{where_en} has {len(fields)} fields; write {columns}: {want}.",
                          f"{where_zh}有 {len(fields)} 个字段；应为 {columns} 个：{want}。")
        for name, field, value in zip(names, fields, values, strict=True):
            if value is None:
                raise Refusal(f"{where_en}: {name} “{field[:20]}” is not a number.",
                              f"{where_zh}：{name}“{field[:20]}”不是数。")
            if not math.isfinite(value):
                raise Refusal(f"{where_en}: {name} is {field[:20]}; every value must be a finite number.",
                              f"{where_zh}：{name} 为 {field[:20]}；所有值都必须是有限的数。")
            if abs(value) > MAX_CSV_VALUE:
                raise Refusal(f"{where_en}: {name} = {field[:20]} is outside [−{MAX_CSV_VALUE:g}, {MAX_CSV_VALUE:g}].",
                              f"{where_zh}：{name} = {field[:20]} 超出 [−{MAX_CSV_VALUE:g}, {MAX_CSV_VALUE:g}]。")
        if columns == 3 and values[2] not in (0.0, 1.0):
            raise Refusal(f"{where_en}: the label is {fields[2][:20]}; write 0 or 1.",
                          f"{where_zh}：标签为 {fields[2][:20]}；请写 0 或 1。")
        if len(rows) == MAX_CSV_ROWS:
            raise Refusal(f"{where_en}: at most {MAX_CSV_ROWS} rows.", f"{where_zh}：最多 {MAX_CSV_ROWS} 行。")
        rows.append([float(v) for v in values])  # type: ignore[arg-type]
    a = np.array(rows, dtype=float).reshape(-1, columns)
    X, y = a[:, :-1].copy(), a[:, -1].copy()
    X.flags.writeable = y.flags.writeable = False
    return X, y


def check_points(X: np.ndarray, y: np.ndarray, classes: bool, where: str) -> None:
    """Refuse too few points, or (classes) a single class; `where` is "points" or "rows"."""
    zh = "个点" if where == "points" else "行"
    if len(X) < MIN_POINTS:
        how = ("click on the plane to add points, or paste CSV" if where == "points"
               else "paste more rows")
        how_zh = "请在平面上点击添加点，或粘贴 CSV" if where == "points" else "请粘贴更多行"
        raise Refusal(f"{len(X)} {where}; at least {MIN_POINTS} are needed: {how}.",
                      f"只有 {len(X)} {zh}；至少需要 {MIN_POINTS} {zh}：{how_zh}。")
    if classes and len(np.unique(y)) < 2:
        k = int(y[0])
        raise Refusal(f"every one of the {len(X)} {where} is class {k}; add at least one of class {1 - k}.",
                      f"全部 {len(X)} {zh}都属于类别 {k}；请至少加入一个类别 {1 - k} 的点。")
