#!/usr/bin/env python3
"""Independent renderer of Korean recycling marks (분리배출 표시) for OCR evaluation.

Written from scratch, without reference to the reader under test.  Every image is
deterministic: the whole set is a function of SEED, the font files installed by
`apt-get install fonts-noto-cjk fonts-unfonts-core fonts-baekmuk fonts-nanum`,
Pillow and numpy.

    python render_independent.py                # render images/ and manifests; if FROZEN.sha256
                                                # exists, only verify the frozen test half
    python render_independent.py --sheets DIR   # also write review contact sheets to DIR
    python render_independent.py --freeze       # (author only) write manifest.test.jsonl and
                                                # FROZEN.sha256 — done once, never again

Byte-exact output was obtained with Python 3.11.7, Pillow 13.0.0 (libjpeg-turbo, FreeType
2.14.3), numpy 2.4.6 and Debian fonts-noto-cjk 1:20220127+repack1-1, fonts-unfonts-core
1:1.0.2-080608-18, fonts-baekmuk 2.2-13, fonts-nanum 20200506-1.  Other versions give
visually equivalent but not byte-identical images.

What is drawn: a triangle of chasing arrows (three arrows around a rounded triangle, with
wide or narrow gaps, thin or thick strokes) or a solid triangular badge with knocked-out
arrows, with the material word inside on one line, or the word plus a material line
(철 / 알미늄 / PP / PE ...) inside, below the triangle, or crossing its base.  The mark is
shown close up, or small on a photo-like package (gradient, product name, info text,
barcode-like stripes).  Then optional rotation (±15°), perspective warp, blur, glare,
low contrast, noise and JPEG compression (quality 30-90).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEED = 20261207          # generation seed (third sample: new seed, same independent renderer)
SPLIT_SEED = 20261208    # dev/test split seed
OUT = Path(__file__).resolve().parent
IMG_DIR = OUT / "images"

# Legibility floor for the rendered text (ink height in final pixels, before warping)
MIN_MAIN_PX = 18
MIN_SECOND_PX = 14

# Images a human reviewer found illegible get a new deterministic attempt number here.
# {image_number: attempt}.  Attempt 0 is the default.
REROLL: dict[int, int] = {}   # no human review of this sample

# ---------------------------------------------------------------------------
# Fonts (path, face index, display name).  Only faces with full coverage of every
# character used below (checked with fontTools when the set was written).
NOTO = "/usr/share/fonts/opentype/noto/"
UN = "/usr/share/fonts/truetype/unfonts-core/"
BAEK = "/usr/share/fonts/truetype/baekmuk/"
NANUM = "/usr/share/fonts/truetype/nanum/"
FONTS = [
    (NOTO + "NotoSansCJK-Regular.ttc", 1, "Noto Sans CJK KR Regular"),
    (NOTO + "NotoSansCJK-Bold.ttc", 1, "Noto Sans CJK KR Bold"),
    (NOTO + "NotoSerifCJK-Regular.ttc", 1, "Noto Serif CJK KR Regular"),
    (NOTO + "NotoSerifCJK-Bold.ttc", 1, "Noto Serif CJK KR Bold"),
    (UN + "UnDotum.ttf", 0, "UnDotum Regular"),
    (UN + "UnDotumBold.ttf", 0, "UnDotum Bold"),
    (UN + "UnBatang.ttf", 0, "UnBatang Regular"),
    (UN + "UnBatangBold.ttf", 0, "UnBatang Bold"),
    (UN + "UnGraphicBold.ttf", 0, "UnGraphic Bold"),
    (UN + "UnDinaruBold.ttf", 0, "UnDinaru Bold"),
    (BAEK + "dotum.ttf", 0, "Baekmuk Dotum"),
    (BAEK + "gulim.ttf", 0, "Baekmuk Gulim"),
    (BAEK + "batang.ttf", 0, "Baekmuk Batang"),
    (BAEK + "hline.ttf", 0, "Baekmuk Headline"),
    (NANUM + "NanumGothic.ttf", 0, "NanumGothic Regular"),
    (NANUM + "NanumGothicBold.ttf", 0, "NanumGothic Bold"),
    (NANUM + "NanumMyeongjo.ttf", 0, "NanumMyeongjo Regular"),
    (NANUM + "NanumMyeongjoBold.ttf", 0, "NanumMyeongjo Bold"),
    (NANUM + "NanumBarunGothic.ttf", 0, "NanumBarunGothic Regular"),
    (NANUM + "NanumBarunGothicBold.ttf", 0, "NanumBarunGothic Bold"),
    (NANUM + "NanumSquareB.ttf", 0, "NanumSquare Bold"),
    (NANUM + "NanumSquareRoundB.ttf", 0, "NanumSquareRound Bold"),
]
DECOR_FONTS = [0, 1, 4, 5, 14, 15, 18, 19, 20]   # plain faces for package text

_font_cache: dict = {}


def font(idx: int, size: int) -> ImageFont.FreeTypeFont:
    key = (idx, size)
    if key not in _font_cache:
        path, face, _ = FONTS[idx]
        _font_cache[key] = ImageFont.truetype(path, size, index=face,
                                              layout_engine=ImageFont.Layout.BASIC)
    return _font_cache[key]


# ---------------------------------------------------------------------------
# Marks: text ('/' separates the two lines) -> category, and how many images of each.
MARKS = [
    # clear PET bottles
    ("무색페트", "clear_pet", 18),
    ("페트", "clear_pet", 14),          # 2020+ unified mark: 페트 = clear PET bottle
    # other plastics (incl. coloured PET and resin codes)
    ("플라스틱", "plastic", 6),
    ("플라스틱/PP", "plastic", 6),
    ("플라스틱/PE", "plastic", 4),
    ("플라스틱/PS", "plastic", 4),
    ("플라스틱/HDPE", "plastic", 4),
    ("플라스틱/LDPE", "plastic", 3),
    ("플라스틱/OTHER", "plastic", 4),
    ("플라스틱/PET", "plastic", 3),
    ("플라스틱/PVC", "plastic", 2),
    ("유색페트", "plastic", 8),
    ("PP", "plastic", 2),
    ("PS", "plastic", 2),
    ("HDPE", "plastic", 2),
    ("OTHER", "plastic", 2),
    # vinyl / film
    ("비닐류", "vinyl", 10),
    ("비닐류/PE", "vinyl", 5),
    ("비닐류/PP", "vinyl", 5),
    ("비닐류/LDPE", "vinyl", 4),
    ("비닐류/HDPE", "vinyl", 3),
    ("비닐류/OTHER", "vinyl", 4),
    ("비닐류/PS", "vinyl", 2),
    ("비닐류/PVC", "vinyl", 3),
    # metal cans
    ("캔류/철", "metal", 14),
    ("캔류/알미늄", "metal", 14),
    ("캔류", "metal", 4),
    # paper
    ("종이", "paper", 28),
    # paper packs
    ("종이팩", "paper_pack", 14),
    ("일반팩", "paper_pack", 9),
    ("멸균팩", "paper_pack", 9),
    # glass
    ("유리", "glass", 28),
]
CATEGORIES = ["clear_pet", "plastic", "vinyl", "metal", "paper", "paper_pack", "glass"]

# Unrelated package text.  Must not contain any mark word or resin code (asserted).
PRODUCT_NAMES = [
    "고소한 아몬드 음료", "상큼한 사과주스", "맑은 샘물", "바삭 감자칩", "진한 초코 우유",
    "녹차 라떼", "매콤 떡볶이 소스", "구운 김", "현미 누룽지", "보리차", "오렌지 에이드",
    "허브 샴푸", "순한 세제", "참깨 드레싱", "꿀 유자차", "바닐라 아이스크림", "통밀 크래커",
    "제주 감귤 주스", "레몬 탄산수", "검은콩 두유",
]
INFO_LINES = [
    "원재료명: 정제수, 설탕, 천연향료", "내용량 500mL", "내용량 1.5L", "유통기한: 2026.12.31",
    "제조원: 가나식품(주)", "고객상담실 080-123-4567", "보관방법: 직사광선을 피해 서늘한 곳에 보관",
    "개봉 후 냉장 보관하시고 빨리 드십시오", "알레르기 유발물질: 우유, 대두 함유", "열량 120kcal",
    "NET 350mL", "MADE IN KOREA", "부정불량식품 신고는 국번없이 1399", "나트륨 85mg 4%",
    "당류 12g 12%", "소비자상담: 평일 09:00~18:00", "품목보고번호 2019012345-67",
]
TAGLINES = ["NEW", "무첨가", "저당", "1+1", "국내산", "HOT", "ORIGINAL", "달콤함 가득", "상쾌한 하루"]
_KEYWORDS = ["페트", "플라스틱", "비닐", "캔", "철", "알미늄", "알루미늄", "종이", "팩", "유리",
             "PP", "PE", "PS", "PVC", "OTHER", "HDPE", "LDPE", "PET"]
for _s in PRODUCT_NAMES + INFO_LINES + TAGLINES:
    for _k in _KEYWORDS:
        assert _k not in _s.upper(), (_s, _k)

# ---------------------------------------------------------------------------
# Colours
LIGHT_PAPERS = [(255, 255, 255), (250, 248, 240), (240, 242, 236), (255, 250, 228),
                (236, 244, 250), (248, 236, 236), (232, 240, 225), (245, 245, 245)]
DARK_INKS = [(0, 0, 0), (25, 25, 25), (40, 40, 48), (18, 38, 92), (0, 70, 40),
             (90, 20, 24), (60, 36, 20), (30, 60, 110)]
DARK_PAPERS = [(10, 10, 10), (20, 32, 70), (0, 60, 36), (96, 16, 22), (40, 40, 44),
               (70, 20, 80), (25, 70, 110), (55, 40, 25)]
LIGHT_INKS = [(255, 255, 255), (250, 250, 240), (255, 240, 200), (235, 245, 255)]
PACKAGE_COLOURS = [(200, 30, 40), (20, 110, 60), (30, 70, 160), (240, 180, 30), (120, 60, 150),
                   (250, 120, 40), (90, 170, 210), (230, 220, 200), (160, 200, 90), (40, 40, 40),
                   (250, 200, 210), (110, 80, 50)]


def lum(c):
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def mix(a, b, t):
    return tuple(int(round(a[i] * (1 - t) + b[i] * t)) for i in range(3))


# ---------------------------------------------------------------------------
# Geometry of the mark, in "internal" units (large raster, later downscaled).
R0 = 220.0   # inradius of the shrunk triangle the rounded outline is built on


def outline(cx, cy, r0, rad, n_arc=40, n_edge=60):
    """Closed path: triangle (pointing up, inradius r0) ⊕ circle(rad), clockwise on
    screen, starting at the midpoint of the base.  Returns (points, normals)."""
    R = 2 * r0
    verts = [(cx + R * math.cos(math.radians(a)), cy + R * math.sin(math.radians(a)))
             for a in (-90, 30, 150)]       # top, bottom-right, bottom-left
    # walk: base midpoint -> bottom-left -> top -> bottom-right -> base midpoint
    order = [2, 0, 1]
    pts = []
    # edge outward normals (screen coords, y down)
    def edge_normal(a, b):
        mx, my = (a[0] + b[0]) / 2 - cx, (a[1] + b[1]) / 2 - cy
        d = math.hypot(mx, my)
        return mx / d, my / d
    seq = [(1, 2), (2, 0), (0, 1)]       # base (1->2), left (2->0), right (0->1)
    normals = [edge_normal(verts[a], verts[b]) for a, b in seq]
    # start: half the base, from midpoint toward bottom-left
    for k in range(3):
        a, b = seq[k]
        va, vb = verts[a], verts[b]
        n = normals[k]
        t0 = 0.5 if k == 0 else 0.0
        for i in range(n_edge + 1):
            t = t0 + (1 - t0) * i / n_edge
            pts.append((va[0] + (vb[0] - va[0]) * t + n[0] * rad,
                        va[1] + (vb[1] - va[1]) * t + n[1] * rad))
        # corner arc around vb from normal k to normal k+1
        n2 = normals[(k + 1) % 3]
        a1 = math.atan2(n[1], n[0])
        a2 = math.atan2(n2[1], n2[0])
        while a2 < a1:
            a2 += 2 * math.pi
        for i in range(1, n_arc):
            a = a1 + (a2 - a1) * i / n_arc
            pts.append((vb[0] + rad * math.cos(a), vb[1] + rad * math.sin(a)))
    # final half of base back to midpoint
    a, b = seq[0]
    va, vb = verts[a], verts[b]
    n = normals[0]
    for i in range(n_edge // 2 + 1):
        t = 0.5 * i / (n_edge // 2)
        pts.append((va[0] + (vb[0] - va[0]) * t + n[0] * rad, va[1] + (vb[1] - va[1]) * t + n[1] * rad))
    return pts, normals


def resample(pts, step=2.0):
    arr = np.array(pts, dtype=float)
    seg = np.hypot(*(arr[1:] - arr[:-1]).T)
    cum = np.concatenate([[0], np.cumsum(seg)])
    total = cum[-1]
    s = np.arange(0, total, step)
    x = np.interp(s, cum, arr[:, 0])
    y = np.interp(s, cum, arr[:, 1])
    return np.stack([x, y], 1), total


def draw_arrows(draw, path, total, width, gap, phase, head_w, head_len, reverse, fill):
    """Three chasing arrows along the closed path."""
    n = len(path)
    step = total / n
    if reverse:
        path = path[::-1]
    third = total / 3
    for k in range(3):
        s0 = k * third + phase + gap / 2
        s1 = (k + 1) * third + phase - gap / 2 - head_len
        idx = [int(round(s / step)) % n for s in np.arange(s0, s1, step)]
        if len(idx) < 3:
            continue
        seg = [tuple(path[i]) for i in idx]
        # body: stamped discs (smooth on curves, no joint artefacts), round tail
        r = width / 2
        stride = max(1, int(r / 4 / step))
        for x, y in seg[::stride] + [seg[-1]]:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
        # arrow head at the end, pointing along the path tangent
        e = np.array(seg[-1])
        p_prev = np.array(seg[-4])
        t = e - p_prev
        t = t / (np.linalg.norm(t) + 1e-9)
        nrm = np.array([-t[1], t[0]])
        tip = e + t * head_len
        b1 = e + nrm * head_w / 2 - t * 1.0
        b2 = e - nrm * head_w / 2 - t * 1.0
        draw.polygon([tuple(tip), tuple(b1), tuple(b2)], fill=fill)


def text_mask(fidx, size, txt, halo=0):
    """Ink mask and halo mask of a text line, both cropped to the halo box."""
    f = font(fidx, size)
    l, t, r, b = f.getbbox(txt)
    pad = halo + 4
    W, H = int(r - l + 2 * pad), int(b - t + 2 * pad)
    ink = Image.new("L", (W, H), 0)
    ImageDraw.Draw(ink).text((pad - l, pad - t), txt, font=f, fill=255)
    box = ink.getbbox()
    if halo:
        hm = Image.new("L", (W, H), 0)
        ImageDraw.Draw(hm).text((pad - l, pad - t), txt, font=f, fill=255,
                                stroke_width=halo, stroke_fill=255)
        box = hm.getbbox()
        hm = hm.crop(box)
    else:
        hm = None
    return ink.crop(box), hm


def inside(points, cx, cy, normals, limits):
    for (px, py) in points:
        for (nx, ny), lim in zip(normals, limits):
            if (px - cx) * nx + (py - cy) * ny > lim:
                return False
    return True


def fit_block(lines, fidx, ratios, gap_frac, cx, cy, normals, limits, rng_offsets):
    """Largest font size such that the stacked block of lines fits in the triangle whose
    edges are at distances `limits` from the centre.  Returns (size, block centre y)."""
    best = None
    for off in rng_offsets:
        by = cy + off * R0
        lo, hi = 8, 600
        while hi - lo > 2:
            mid = (lo + hi) // 2
            sizes = [max(6, int(mid * r)) for r in ratios]
            dims = [font(fidx, s).getbbox(t) for t, s in zip(lines, sizes)]
            hs = [d[3] - d[1] for d in dims]
            ws = [d[2] - d[0] for d in dims]
            g = gap_frac * hs[0]
            total_h = sum(hs) + g * (len(lines) - 1)
            y = by - total_h / 2
            corners = []
            for w, h in zip(ws, hs):
                corners += [(cx - w / 2, y), (cx + w / 2, y), (cx - w / 2, y + h), (cx + w / 2, y + h)]
                y += h + g
            if inside(corners, cx, cy, normals, limits):
                lo = mid
            else:
                hi = mid
        if best is None or lo > best[0]:
            best = (lo, by)
    return best


def size_for(fidx, txt, target_h, max_w):
    """Font size whose ink box for txt is about target_h high and at most max_w wide."""
    lo, hi = 6, 600
    while hi - lo > 1:
        mid = (lo + hi) // 2
        l, t, r, b = font(fidx, mid).getbbox(txt)
        if b - t <= target_h and r - l <= max_w:
            lo = mid
        else:
            hi = mid
    return lo


def render_mark(spec, rng):
    """Draw the mark on an internal canvas.  Returns (layers, bbox, info) where layers is a
    list of (L-mask, role) with role in {'ink', 'paper'}; the caller maps roles to colours."""
    C = 1400
    cx, cy = C / 2, C / 2 - 60
    lines = spec["lines"]
    style = spec["arrow_style"]
    weight = spec["arrow_weight"]
    contact = spec["text_contact"]
    below = spec["material_pos"]   # 'inside' | 'below' | 'crossing' (2-line only)
    fidx = spec["font_idx"]
    rad = R0 * rng.uniform(0.22, 0.42)
    L_side = 2 * math.sqrt(3) * (R0 + rad)
    if weight == "thin":
        w = L_side * rng.uniform(0.022, 0.038)
    else:
        w = L_side * rng.uniform(0.065, 0.10)
    head_w = w * rng.uniform(2.2, 2.9) if weight == "thin" else w * rng.uniform(1.9, 2.4)
    head_len = head_w * rng.uniform(0.7, 1.0)
    ink = Image.new("L", (C, C), 0)
    paper = Image.new("L", (C, C), 0)      # knock-outs drawn in paper colour
    layers = []
    reverse = rng.random() < 0.5
    path_pts, normals = outline(cx, cy, R0, rad)
    path, total = resample(path_pts)
    # phase: 0 -> gaps at mid-edges; total/6 -> gaps at corners
    if contact in ("touching", "crossing") or style == "badge":
        phase = total / 6
    else:
        phase = rng.choice([0.0, total / 6])
    r_edge = R0 + rad            # centre -> straight part of the stroke centre line
    if style == "badge":
        o = w * rng.uniform(1.2, 2.0)
        badge_pts, _ = outline(cx, cy, R0, rad + o)
        badge = Image.new("L", (C, C), 0)
        ImageDraw.Draw(badge).polygon([tuple(p) for p in badge_pts], fill=255)
        layers.append((badge, "ink"))
        # knocked-out thin arrows, inset
        aw = max(6.0, w * 0.45)
        a_pts, _ = outline(cx, cy, R0, rad - o * 0.2)
        a_path, a_total = resample(a_pts)
        arr = Image.new("L", (C, C), 0)
        draw_arrows(ImageDraw.Draw(arr), a_path, a_total, aw, aw * 2.5, a_total / 6,
                    aw * 2.4, aw * 2.0, reverse, 255)
        layers.append((arr, "paper"))
        r_edge_inner = r_edge - o * 0.2 - aw * 1.2
        text_role, halo_role = "paper", "ink"
    else:
        gap = w * (rng.uniform(1.6, 3.0) if style == "chasing" else rng.uniform(0.5, 0.9))
        draw_arrows(ImageDraw.Draw(ink), path, total, w, gap, phase, head_w, head_len, reverse, 255)
        layers.append((ink, "ink"))
        if phase == 0.0:
            r_edge_inner = r_edge - max(w / 2, head_w / 2)
        else:
            r_edge_inner = r_edge - w / 2
        text_role, halo_role = "ink", "paper"

    # --- text
    two = len(lines) == 2
    latin0 = lines[0].isascii()
    ratios = [1.0]
    if two:
        ratios.append(rng.uniform(0.62, 0.85) if lines[1].isascii() else rng.uniform(0.6, 0.8))
    margin = {"clear": rng.uniform(0.05, 0.12), "touching": -0.01, "crossing": 0}[contact] * R0
    if contact == "crossing":
        margin = -(w * (0.9 if style != "badge" else 0.6))
    limit = r_edge_inner - margin
    limits = [limit, limit, limit]          # base, left, right
    halo = 0
    if contact == "crossing":
        halo = int(max(5, w * 0.3))
    base_y = cy + r_edge               # centre line of the base stroke
    base_len = 2 * math.sqrt(3) * R0   # straight part of each side
    gap_frac = rng.uniform(0.12, 0.3)
    offsets = [-0.1, 0.0, 0.1, 0.2, 0.3, 0.4] if not latin0 else [0.0, 0.15, 0.3, 0.45]
    placed = []   # (ink mask, halo mask or None, x centre, y centre, text role, halo role)
    if two and below != "inside":
        # size the material line against the word as it would be on its own
        s0, _ = fit_block(lines[:1], fidx, [1.0], gap_frac, cx, cy, normals, limits, offsets)
        l_, t_, r_, b_ = font(fidx, s0).getbbox(lines[0])
        target = (b_ - t_) * rng.uniform(0.45, 0.7)
        if below == "below":
            s1 = size_for(fidx, lines[1], target, base_len * 0.95)
            im, _ = text_mask(fidx, s1, lines[1], 0)
            extra = w * 1.6 if style == "badge" else 0
            y1 = base_y + w / 2 + extra + w * 0.6 + im.size[1] / 2 + R0 * 0.06
            # outside the triangle the material line is printed in the ink colour
            placed.append((im, None, cx, y1, "ink", None))
        else:   # crossing: centred on the base stroke, which is cut by a knocked-out box
            s1 = size_for(fidx, lines[1], target, base_len * 0.6)
            im, _ = text_mask(fidx, s1, lines[1], 0)
            px = max(w * 0.4, im.size[1] * 0.3)
            bw_ = int(im.size[0] + 2 * px)
            bh_ = int(max(im.size[1], w) + 2 * max(w * 0.2, im.size[1] * 0.15))
            hm = Image.new("L", (bw_, bh_), 0)
            ImageDraw.Draw(hm).rounded_rectangle([0, 0, bw_ - 1, bh_ - 1], radius=int(bh_ * 0.2), fill=255)
            y1 = base_y + (w * 0.8 if style == "badge" else 0)
            placed.append((im, hm, cx, y1, text_role, halo_role))
            # keep the word clear of the knocked-out box
            limits[0] = min(limits[0], (y1 - bh_ / 2) - cy - R0 * 0.06)
    block_lines = lines if (two and below == "inside") else lines[:1]
    block_ratios = ratios if (two and below == "inside") else ratios[:1]
    size, by = fit_block(block_lines, fidx, block_ratios, gap_frac, cx, cy, normals, limits, offsets)
    if contact == "clear":
        size = int(size * rng.uniform(0.86, 0.97))
    sizes = [max(6, int(size * r)) for r in block_ratios]
    masks = [text_mask(fidx, s, t, halo) for t, s in zip(block_lines, sizes)]
    hs = [m[0].size[1] for m in masks]
    g = gap_frac * hs[0]
    y = by - (sum(hs) + g * (len(masks) - 1)) / 2
    block = []
    for (im, hm), h in zip(masks, hs):
        block.append((im, hm, cx, y + h / 2, text_role, halo_role))
        y += h + g
    placed = block + placed
    halo_layers = {}
    text_layers = {}
    text_boxes = []
    for im, hm, x, yc, trole, hrole in placed:
        if hm is not None:
            hl = halo_layers.setdefault(hrole, Image.new("L", (C, C), 0))
            x0, y0 = int(round(x - hm.size[0] / 2)), int(round(yc - hm.size[1] / 2))
            hl.paste(255, (x0, y0), hm)
        tl = text_layers.setdefault(trole, Image.new("L", (C, C), 0))
        x0, y0 = int(round(x - im.size[0] / 2)), int(round(yc - im.size[1] / 2))
        tl.paste(255, (x0, y0), im)
        ib = im.getbbox()
        text_boxes.append((x0 + ib[0], y0 + ib[1], x0 + ib[2], y0 + ib[3]))
    for role, m in halo_layers.items():
        layers.append((m, role))
    for role, m in text_layers.items():
        layers.append((m, role))
    # union bbox
    union = Image.new("L", (C, C), 0)
    for m, _ in layers:
        union.paste(255, (0, 0), m)
    bbox = union.getbbox()
    info = {"text_heights_internal": [b[3] - b[1] for b in text_boxes]}
    return layers, bbox, info


# ---------------------------------------------------------------------------
# Scene helpers
def gradient(W, H, c1, c2, rng, kind=None):
    kind = kind or rng.choice(["linear", "linear", "radial"])
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    if kind == "linear":
        a = rng.uniform(0, 2 * math.pi)
        t = (xx * math.cos(a) + yy * math.sin(a))
        t = (t - t.min()) / (t.max() - t.min() + 1e-6)
    else:
        cxr, cyr = rng.uniform(0.2, 0.8) * W, rng.uniform(0.2, 0.8) * H
        t = np.hypot(xx - cxr, yy - cyr)
        t = t / (t.max() + 1e-6)
    c1 = np.array(c1, np.float32)
    c2 = np.array(c2, np.float32)
    arr = c1[None, None, :] * (1 - t[..., None]) + c2[None, None, :] * t[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def paste_mark(scene, layers, bbox, x, y, size_px, colours):
    """Downscale the mark's layers so the longest side of bbox is size_px, composite at (x, y)."""
    bw, bh = bbox[2] - bbox[0], bbox[3] - bbox[1]
    s = size_px / max(bw, bh)
    tw, th = max(1, round(bw * s)), max(1, round(bh * s))
    region = np.asarray(scene.crop((x, y, x + tw, y + th)), dtype=np.float32)
    for m, role in layers:
        mm = m.crop(bbox).resize((tw, th), Image.LANCZOS)
        a = np.asarray(mm, dtype=np.float32)[..., None] / 255.0
        col = np.array(colours[role], np.float32)[None, None, :]
        region = region * (1 - a) + col * a
    scene.paste(Image.fromarray(np.clip(region, 0, 255).astype(np.uint8)), (x, y))
    return (x, y, x + tw, y + th), s


def draw_barcode(draw, box, rng, fidx):
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(255, 255, 255))
    x = x0 + 6
    digits_h = max(10, int((y1 - y0) * 0.22))
    while x < x1 - 8:
        bw = rng.choice([1, 1, 2, 2, 3, 4])
        if rng.random() < 0.55:
            draw.rectangle([x, y0 + 4, x + bw - 1, y1 - digits_h - 4], fill=(0, 0, 0))
        x += bw
    digits = "8 80" + "".join(str(rng.randint(0, 9)) for _ in range(4)) + " " + \
        "".join(str(rng.randint(0, 9)) for _ in range(6))
    f = font(fidx, digits_h)
    draw.text((x0 + 6, y1 - digits_h - 2), digits, font=f, fill=(0, 0, 0))


def overlaps(b, boxes, pad):
    for o in boxes:
        if not (b[2] + pad <= o[0] or o[2] + pad <= b[0] or b[3] + pad <= o[1] or o[3] + pad <= b[1]):
            return True
    return False


def place(rng, W, H, w, h, boxes, pad, area=None, tries=400):
    ax0, ay0, ax1, ay1 = area or (0, 0, W, H)
    for _ in range(tries):
        if ax1 - ax0 - w <= 0 or ay1 - ay0 - h <= 0:
            return None
        x = rng.randint(ax0, ax1 - w)
        y = rng.randint(ay0, ay1 - h)
        b = (x, y, x + w, y + h)
        if not overlaps(b, boxes, pad):
            return b
    return None


# ---------------------------------------------------------------------------
# Degradations
def homography(src, dst):
    A = []
    for (x, y), (u, v) in zip(src, dst):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    b = np.array([c for p in dst for c in p], float)
    h = np.linalg.solve(np.array(A, float), b)
    return np.append(h, 1).reshape(3, 3)


def apply_h(H, pts):
    out = []
    for x, y in pts:
        v = H @ np.array([x, y, 1.0])
        out.append((v[0] / v[2], v[1] / v[2]))
    return out


def geometric(img, mark_box, rng, rot_deg, persp, fill):
    """Rotate by rot_deg about the centre and apply a perspective jitter of strength persp.
    The output keeps the input size.  Returns (image, mark quad)."""
    W, H = img.size
    cxy = (W / 2, H / 2)
    a = math.radians(rot_deg)
    corners = [(0, 0), (W, 0), (W, H), (0, H)]
    def rot(p):
        x, y = p[0] - cxy[0], p[1] - cxy[1]
        return (cxy[0] + x * math.cos(a) - y * math.sin(a), cxy[1] + x * math.sin(a) + y * math.cos(a))
    dst = [rot(p) for p in corners]
    jit = persp * min(W, H)
    dst = [(x + rng.uniform(-jit, jit), y + rng.uniform(-jit, jit)) for x, y in dst]
    Hm = homography(corners, dst)            # input -> output
    Hi = np.linalg.inv(Hm)
    Hi = Hi / Hi[2, 2]
    coeffs = tuple(Hi.flatten()[:8])
    out = img.transform((W, H), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=fill)
    x0, y0, x1, y1 = mark_box
    quad = apply_h(Hm, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    return out, quad


def quad_inside(quad, W, H, m):
    return all(m <= x <= W - m and m <= y <= H - m for x, y in quad)


# ---------------------------------------------------------------------------
def plan(seed):
    """Deterministic list of image specs (before per-image randomness)."""
    rng = random.Random(seed)
    items = []
    for mark, cat, n in MARKS:
        for _ in range(n):
            items.append({"mark": mark, "category": cat})
    # assign variant cells round-robin within each category so that every category gets
    # every kind of image
    cells_one = ["one_line", "inside_photo", "text_touching", "text_crossing", "inside_photo",
                 "one_line", "degraded", "light_on_dark_closeup"]
    cells_two = ["two_line", "inside_photo", "material_below", "text_crossing", "inside_photo",
                 "text_touching", "degraded", "two_line"]
    out = []
    for cat in CATEGORIES:
        group = [it for it in items if it["category"] == cat]
        rng.shuffle(group)
        c1 = c2 = 0
        off = rng.randrange(8)
        for it in group:
            if "/" in it["mark"]:
                it["variant"] = cells_two[(c2 + off) % 8]
                c2 += 1
            else:
                it["variant"] = cells_one[(c1 + off) % 8]
                c1 += 1
            out.append(it)
    rng.shuffle(out)
    for i, it in enumerate(out, 1):
        it["n"] = i
        it["file"] = f"images/m{i:04d}.jpg"
    return out


def render_one(it):
    n = it["n"]
    attempt = REROLL.get(n, 0)
    rng = random.Random(f"{SEED}:{n}:{attempt}")
    nrng = np.random.default_rng([SEED, n, attempt])
    variant = it["variant"]
    lines = it["mark"].split("/")
    two = len(lines) == 2
    scene_kind = "inside_photo" if variant == "inside_photo" else "closeup"

    # polarity
    if variant == "light_on_dark_closeup":
        polarity = "light_on_dark"
    else:
        polarity = "light_on_dark" if rng.random() < 0.3 else "dark_on_light"
    # arrow style
    style = rng.choices(["chasing", "continuous", "badge"], [0.45, 0.35, 0.2])[0]
    if variant in ("text_touching", "material_below"):
        style = rng.choice(["chasing", "continuous"])
    weight = rng.choice(["thin", "thick"])
    if style == "badge":
        weight = "thick"
    contact = {"text_touching": "touching", "text_crossing": "crossing"}.get(variant, "clear")
    if variant in ("inside_photo", "degraded") and rng.random() < 0.25:
        contact = rng.choice(["touching", "crossing"])
    material_pos = "inside"
    if two:
        if variant == "material_below":
            material_pos = "below"
        elif variant == "text_crossing":
            material_pos = "crossing"
        elif variant in ("inside_photo", "degraded"):
            material_pos = rng.choices(["inside", "below", "crossing"], [0.6, 0.25, 0.15])[0]
    if material_pos == "crossing":
        contact = "crossing" if contact == "crossing" else contact
    fidx = rng.randrange(len(FONTS))
    spec = dict(lines=lines, arrow_style=style, arrow_weight=weight, text_contact=contact,
                material_pos=material_pos, font_idx=fidx)
    layers, bbox, minfo = render_mark(spec, rng)

    # colours (badge: the solid triangle is the 'ink' colour and text is 'paper')
    if polarity == "dark_on_light":
        paper = rng.choice(LIGHT_PAPERS)
        ink = rng.choice(DARK_INKS)
        if style == "badge":
            # dark text on light badge would be dark-on-light only if badge is light: keep
            # the convention "text lighter than surround" -> polarity light_on_dark for badges
            polarity = "light_on_dark"
    else:
        paper = rng.choice(DARK_PAPERS)
        ink = rng.choice(LIGHT_INKS)
        if style == "badge":
            # light background, dark badge, light text inside the badge
            paper, ink = rng.choice(LIGHT_PAPERS), rng.choice(DARK_INKS)
    colours = {"ink": ink, "paper": paper}
    bw, bh = bbox[2] - bbox[0], bbox[3] - bbox[1]
    text_h_int = minfo["text_heights_internal"]

    distortions = {}
    if scene_kind == "closeup":
        longest = rng.randint(300, 1100) if variant != "degraded" else rng.randint(360, 900)
        aspect = rng.choice([1.0, 1.0, 4 / 3, 3 / 4, 5 / 4])
        W = longest if aspect >= 1 else int(longest * aspect)
        H = int(W / aspect) if aspect >= 1 else longest
        W, H = max(300, min(1600, W)), max(300, min(1600, H))
        frac = rng.uniform(0.5, 0.82)
        mark_px = int(min(W, H) * frac)
        # legibility floor: main word >= MIN_MAIN_PX, material line >= MIN_SECOND_PX high
        need = max(MIN_MAIN_PX / text_h_int[0], MIN_SECOND_PX / min(text_h_int)) * max(bw, bh)
        if mark_px < need:
            grow = need * rng.uniform(1.0, 1.25) / mark_px
            W, H = min(1600, int(W * grow) + 1), min(1600, int(H * grow) + 1)
            mark_px = int(min(W, H) * frac)
        if rng.random() < 0.5:
            bg = gradient(W, H, paper, mix(paper, rng.choice(PACKAGE_COLOURS), rng.uniform(0.05, 0.18)), rng)
        else:
            bg = Image.new("RGB", (W, H), paper)
        scale = mark_px / max(bw, bh)
        mw, mh = round(bw * scale), round(bh * scale)
        mx = rng.randint(int((W - mw) * 0.2), int((W - mw) * 0.8))
        my = rng.randint(int((H - mh) * 0.2), int((H - mh) * 0.8))
        mark_box, scale = paste_mark(bg, layers, bbox, mx, my, mark_px, colours)
        scene = bg
        extras = []
        if rng.random() < 0.2:
            # a small unrelated caption near the mark
            d = ImageDraw.Draw(scene)
            f = font(rng.choice(DECOR_FONTS), max(12, int(mark_px * 0.07)))
            t = rng.choice(INFO_LINES)
            tb = d.textbbox((0, 0), t, font=f)
            tx = max(4, min(W - (tb[2] - tb[0]) - 4, mark_box[0]))
            ty = mark_box[3] + 6 if mark_box[3] + 6 + (tb[3] - tb[1]) < H - 4 else max(2, mark_box[1] - (tb[3] - tb[1]) - 10)
            d.text((tx, ty), t, font=f, fill=ink)
            extras.append("caption")
    else:
        longest = rng.randint(800, 1600)
        aspect = rng.choice([4 / 3, 3 / 4, 1.0, 3 / 2, 2 / 3])
        if aspect >= 1:
            W, H = longest, int(longest / aspect)
        else:
            W, H = int(longest * aspect), longest
        pkg = rng.choice(PACKAGE_COLOURS)
        pkg2 = mix(pkg, rng.choice([(255, 255, 255), (0, 0, 0)]), rng.uniform(0.2, 0.5))
        boxes = []
        if rng.random() < 0.5:
            # the package photographed on a table: table gradient, package panel with shadow
            table = rng.choice([(150, 110, 70), (200, 200, 195), (90, 90, 95), (220, 205, 180), (60, 45, 35)])
            scene = gradient(W, H, table, mix(table, (0, 0, 0), 0.35), rng)
            px0, py0 = int(W * rng.uniform(0.0, 0.12)), int(H * rng.uniform(0.0, 0.12))
            px1, py1 = int(W * rng.uniform(0.88, 1.0)), int(H * rng.uniform(0.88, 1.0))
            shadow = Image.new("L", (W, H), 0)
            off = int(min(W, H) * 0.015)
            ImageDraw.Draw(shadow).rounded_rectangle([px0 + off, py0 + off, px1 + off, py1 + off], radius=off * 2, fill=110)
            shadow = shadow.filter(ImageFilter.GaussianBlur(off * 1.5))
            scene = Image.composite(Image.new("RGB", (W, H), (0, 0, 0)), scene, shadow)
            panel = gradient(px1 - px0, py1 - py0, pkg, pkg2, rng)
            pmask = Image.new("L", panel.size, 0)
            ImageDraw.Draw(pmask).rounded_rectangle([0, 0, panel.size[0] - 1, panel.size[1] - 1], radius=off * 2, fill=255)
            scene.paste(panel, (px0, py0), pmask)
            parea = (px0 + 8, py0 + 8, px1 - 8, py1 - 8)
            on_table = True
            # everything outside the panel is occupied
            for b in [(0, 0, W, py0 + 8), (0, py1 - 8, W, H), (0, 0, px0 + 8, H), (px1 - 8, 0, W, H)]:
                if b[2] > b[0] and b[3] > b[1]:
                    boxes.append(b)
        else:
            scene = gradient(W, H, pkg, pkg2, rng)
            parea = (0, 0, W, H)
            on_table = False
        d = ImageDraw.Draw(scene)
        # the area the mark sits on: either a printed label patch or the package itself
        # text must stay >= ~16 px high (main word) and >= 12 px (material line)
        main_int = text_h_int[0]
        min_int = min(text_h_int)
        need = max(MIN_MAIN_PX / main_int, MIN_SECOND_PX / min_int) * max(bw, bh)
        mark_px = int(max(need * rng.uniform(1.0, 1.5), min(W, H) * rng.uniform(0.12, 0.22)))
        mark_px = min(mark_px, int(min(W, H) * 0.4))
        scale = mark_px / max(bw, bh)
        mw, mh = round(bw * scale), round(bh * scale)
        patch_pad = int(mark_px * rng.uniform(0.08, 0.18))
        on_patch = rng.random() < 0.55
        area = (max(parea[0], int(W * 0.05)), max(parea[1], int(H * 0.05)),
                min(parea[2], int(W * 0.95)), min(parea[3], int(H * 0.95)))
        pb = place(rng, W, H, mw + 2 * patch_pad, mh + 2 * patch_pad, boxes, 10, area)
        if pb is None:
            pb = (area[0], area[3] - mh - 2 * patch_pad, area[0] + mw + 2 * patch_pad, area[3])
        if on_patch:
            d.rounded_rectangle(pb, radius=patch_pad, fill=paper)
        else:
            # print directly on the package: recolour the package locally to the paper tone
            # so that polarity/contrast stays as chosen
            sub = gradient(pb[2] - pb[0], pb[3] - pb[1], paper,
                           mix(paper, pkg, 0.12), rng, "linear")
            scene.paste(sub, pb[:2])
        boxes.append(pb)
        mark_box, scale = paste_mark(scene, layers, bbox, pb[0] + patch_pad, pb[1] + patch_pad,
                                     mark_px, colours)
        extras = ["mark_on_label_patch" if on_patch else "mark_printed_on_package"]
        if on_table:
            extras.append("package_on_table")
        tcol = (255, 255, 255) if lum(pkg) < 140 else (20, 20, 20)
        # product name, large
        fN = font(rng.choice(DECOR_FONTS), int(min(W, H) * rng.uniform(0.07, 0.11)))
        name = rng.choice(PRODUCT_NAMES)
        tb = d.textbbox((0, 0), name, font=fN)
        b = place(rng, W, H, tb[2] - tb[0], tb[3] - tb[1], boxes, 12)
        if b:
            d.text((b[0] - tb[0], b[1] - tb[1]), name, font=fN, fill=tcol)
            boxes.append(b)
            extras.append("product_name")
        if rng.random() < 0.6:
            fT = font(rng.choice(DECOR_FONTS), int(min(W, H) * rng.uniform(0.035, 0.05)))
            tg = rng.choice(TAGLINES)
            tb = d.textbbox((0, 0), tg, font=fT)
            b = place(rng, W, H, tb[2] - tb[0] + 20, tb[3] - tb[1] + 16, boxes, 10)
            if b:
                d.rounded_rectangle(b, radius=8, fill=rng.choice(PACKAGE_COLOURS))
                d.text((b[0] + 10 - tb[0], b[1] + 8 - tb[1]), tg, font=fT, fill=(255, 255, 255))
                boxes.append(b)
        # info lines
        fI = font(rng.choice(DECOR_FONTS), max(12, int(min(W, H) * rng.uniform(0.018, 0.028))))
        chosen = rng.sample(INFO_LINES, rng.randint(3, 6))
        lh = fI.getbbox("가")[3] + 6
        bw_i = max(d.textbbox((0, 0), s, font=fI)[2] for s in chosen) + 8
        b = place(rng, W, H, bw_i, lh * len(chosen) + 8, boxes, 10)
        if b:
            if rng.random() < 0.5:
                d.rectangle(b, fill=(250, 250, 250))
                col = (30, 30, 30)
            else:
                col = tcol
            for k, s in enumerate(chosen):
                d.text((b[0] + 4, b[1] + 4 + k * lh), s, font=fI, fill=col)
            boxes.append(b)
            extras.append("info_text")
        # barcode-like stripes
        bwid = int(min(W, H) * rng.uniform(0.22, 0.32))
        b = place(rng, W, H, bwid, int(bwid * 0.55), boxes, 10)
        if b:
            draw_barcode(d, b, rng, 0)
            boxes.append(b)
            extras.append("barcode")
        # a few decorative stripes/circles that avoid the mark
        for _ in range(rng.randint(0, 3)):
            r = int(min(W, H) * rng.uniform(0.04, 0.1))
            b = place(rng, W, H, 2 * r, 2 * r, boxes, 6, tries=50)
            if b:
                d.ellipse(b, fill=mix(pkg, (255, 255, 255), rng.uniform(0.2, 0.6)))
                boxes.append(b)

    # text height in final pixels (before geometric warp)
    text_px = [round(h * scale, 1) for h in text_h_int]

    # --- degradations
    heavy = variant == "degraded"
    p = (lambda base: min(1.0, base * (1.8 if heavy else 1.0)))
    W, H = scene.size
    rot = rng.uniform(-15, 15) if rng.random() < p(0.45) else 0.0
    persp = rng.uniform(0.03, 0.09) if rng.random() < p(0.35) else 0.0
    quad = [(mark_box[0], mark_box[1]), (mark_box[2], mark_box[1]),
            (mark_box[2], mark_box[3]), (mark_box[0], mark_box[3])]
    if rot or persp:
        arr = np.asarray(scene)
        border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
        fill = tuple(int(v) for v in np.median(border, 0))
        for shrink in (1.0, 0.7, 0.5, 0.3, 0.0):
            if shrink == 0.0:
                out, q = scene, quad
                rot_used, persp_used = 0.0, 0.0
                break
            sub_rng = random.Random(f"{SEED}:{n}:{attempt}:geo")
            out, q = geometric(scene, mark_box, sub_rng, rot * shrink, persp * shrink, fill)
            if quad_inside(q, W, H, 4):
                rot_used, persp_used = rot * shrink, persp * shrink
                break
        scene, quad = out, q
        if rot_used:
            distortions["rotation_deg"] = round(rot_used, 1)
        if persp_used:
            distortions["perspective"] = round(persp_used, 3)
    arr = np.asarray(scene).astype(np.float32)
    min_text = min(text_px)
    # glare
    glare_alpha = 0.0
    if rng.random() < p(0.3):
        gx = rng.uniform(0, W)
        gy = rng.uniform(0, H)
        if rng.random() < 0.5:   # over/near the mark
            qx = sum(x for x, _ in quad) / 4
            qy = sum(y for _, y in quad) / 4
            gx, gy = qx + rng.uniform(-0.3, 0.3) * (mark_box[2] - mark_box[0]), qy + rng.uniform(-0.3, 0.3) * (mark_box[3] - mark_box[1])
        rx = rng.uniform(0.12, 0.4) * W
        ry = rx * rng.uniform(0.3, 0.8)
        ang = rng.uniform(0, math.pi)
        glare_alpha = rng.uniform(0.3, 0.6)
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        dx, dy = xx - gx, yy - gy
        u = (dx * math.cos(ang) + dy * math.sin(ang)) / rx
        v = (-dx * math.sin(ang) + dy * math.cos(ang)) / ry
        g = np.exp(-(u * u + v * v) * 1.5) * glare_alpha
        arr = arr * (1 - g[..., None]) + 255 * g[..., None]
        distortions["glare"] = round(glare_alpha, 2)
    # low contrast (keep the combined contrast factor >= 0.33)
    if rng.random() < p(0.25):
        c = rng.uniform(0.4, 0.65)
        c = max(c, 0.33 / max(0.4, 1 - glare_alpha))
        if min_text < 24:          # small text: milder contrast loss
            c = max(c, 0.6)
        c = min(c, 0.8)
        m = arr.mean()
        arr = m + (arr - m) * c
        distortions["low_contrast"] = round(c, 2)
    scene = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    # blur
    if rng.random() < p(0.35):
        r = rng.uniform(0.5, 2.0)
        r = min(r, 1.6, max(0.4, min_text / 16))
        scene = scene.filter(ImageFilter.GaussianBlur(r))
        distortions["blur"] = round(r, 2)
    # noise (kept light on the largest images to stay inside the size budget)
    if rng.random() < p(0.35):
        sigma = rng.uniform(3, 12) if W * H < 900_000 else rng.uniform(2, 5)
        a = np.asarray(scene).astype(np.float32) + nrng.normal(0, sigma, (H, W, 1)).astype(np.float32) \
            + nrng.normal(0, sigma * 0.3, (H, W, 3)).astype(np.float32)
        scene = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        distortions["noise_sigma"] = round(sigma, 1)
    if heavy:
        q = rng.randint(30, 55)
    else:
        q = rng.randint(30, 90)
    if W * H > 1_200_000:
        q = min(q, 75)
    buf = io.BytesIO()
    scene.save(buf, "JPEG", quality=q, optimize=True)
    data = buf.getvalue()
    xs = [x for x, _ in quad]
    ys = [y for _, y in quad]
    rec = {
        "file": it["file"],
        "mark": it["mark"],
        "category": it["category"],
        "font": FONTS[fidx][2],
        "variant": variant if variant != "light_on_dark_closeup" else "one_line",
        "polarity": polarity,
        "lines": len(lines),
        "material_position": material_pos if two else None,
        "arrow_style": style,
        "arrow_weight": weight,
        "text_contact": contact,
        "scene": scene_kind,
        "scene_extras": extras,
        "width": W,
        "height": H,
        "mark_bbox": [int(min(xs)), int(min(ys)), int(math.ceil(max(xs))), int(math.ceil(max(ys)))],
        "text_height_px": text_px,
        "distortions": distortions,
        "jpeg_quality": q,
        "attempt": attempt,
    }
    return rec, data


def sha256(path):
    h = hashlib.sha256()
    h.update(Path(path).read_bytes())
    return h.hexdigest()


def split(records):
    rng = random.Random(SPLIT_SEED)
    dev, test = [], []
    for cat in sorted({r["category"] for r in records}):
        group = sorted([r for r in records if r["category"] == cat], key=lambda r: r["file"])
        rng.shuffle(group)
        half = len(group) // 2
        dev += group[:half]
        test += group[half:]
    return sorted(dev, key=lambda r: r["file"]), sorted(test, key=lambda r: r["file"])


def write_jsonl(path, recs):
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def contact_sheets(records, outdir, per_sheet=30, tile=240):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    lab_font = font(0, 18)
    for s in range(0, len(records), per_sheet):
        chunk = records[s:s + per_sheet]
        cols = 6
        rows = math.ceil(len(chunk) / cols)
        sheet = Image.new("RGB", (cols * tile, rows * (tile + 26)), (128, 128, 128))
        d = ImageDraw.Draw(sheet)
        for k, r in enumerate(chunk):
            im = Image.open(OUT / r["file"]).convert("RGB")
            x0, y0, x1, y1 = r["mark_bbox"]
            pad = int(0.08 * max(x1 - x0, y1 - y0))
            crop = im.crop((max(0, x0 - pad), max(0, y0 - pad), min(im.width, x1 + pad), min(im.height, y1 + pad)))
            crop.thumbnail((tile, tile), Image.LANCZOS) if max(crop.size) > tile else None
            if max(crop.size) < tile:
                f = tile / max(crop.size)
                crop = crop.resize((int(crop.width * f), int(crop.height * f)), Image.BICUBIC)
            cx, cy = (k % cols) * tile, (k // cols) * (tile + 26)
            sheet.paste(crop, (cx, cy + 26))
            d.text((cx + 4, cy + 3), f"{r['file'][-8:-4]} {r['mark']}", font=lab_font, fill=(255, 255, 0))
        sheet.save(outdir / f"sheet_{s // per_sheet + 1:02d}.png")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", help="write review contact sheets (crops around each mark) here")
    ap.add_argument("--freeze", action="store_true",
                    help="(re)write manifest.test.jsonl and FROZEN.sha256 even if frozen already")
    ap.add_argument("--only", type=int, nargs="*", help="render only these image numbers (no manifests)")
    args = ap.parse_args()
    IMG_DIR.mkdir(parents=True, exist_ok=True)
    items = plan(SEED)
    if args.only:
        for it in items:
            if it["n"] in args.only:
                rec, data = render_one(it)
                (OUT / rec["file"]).write_bytes(data)
                print(json.dumps(rec, ensure_ascii=False))
        return
    records = []
    for it in items:
        rec, data = render_one(it)
        (OUT / rec["file"]).write_bytes(data)
        records.append(rec)
    records.sort(key=lambda r: r["file"])
    write_jsonl(OUT / "manifest.jsonl", records)
    dev, test = split(records)
    write_jsonl(OUT / "manifest.dev.jsonl", dev)
    frozen = OUT / "FROZEN.sha256"
    test_lines = [json.dumps(r, ensure_ascii=False) for r in test]
    if frozen.exists() and not args.freeze:
        # The test half is frozen: regenerate only to verify, never rewrite it.
        tmp = OUT / "manifest.test.regenerated.jsonl"
        write_jsonl(tmp, test)
        want = {}
        for line in frozen.read_text().splitlines():
            h, name = line.split(maxsplit=1)
            want[name] = h
        got = {"manifest.test.jsonl": sha256(tmp)}
        got.update({r["file"]: sha256(OUT / r["file"]) for r in test})
        tmp.unlink()
        bad = sorted(k for k in want if got.get(k) != want[k])
        print("frozen test half:", "reproduced exactly" if not bad else f"{len(bad)} mismatches: {bad[:5]}")
    else:
        write_jsonl(OUT / "manifest.test.jsonl", test)
        lines = [f"{sha256(OUT / 'manifest.test.jsonl')}  manifest.test.jsonl"]
        lines += [f"{sha256(OUT / r['file'])}  {r['file']}" for r in test]
        frozen.write_text("\n".join(lines) + "\n")
    total = sum((OUT / r["file"]).stat().st_size for r in records)
    print(f"{len(records)} images, {total / 1e6:.2f} MB; dev {len(dev)}, test {len(test)}")
    if args.sheets:
        contact_sheets(records, args.sheets)


if __name__ == "__main__":
    main()
