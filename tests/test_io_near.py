"""Reading only what is near (pipeline.io.read_parquet with boxes): row groups skipped by their bbox statistics, the
rest read a few row groups at a time and filtered, rows kept in file order."""
import geopandas as gpd
import numpy as np
import shapely

from pipeline import io
from pipeline.crs import WORKING_CRS


def _points(tmp_path, monkeypatch):
    """100 points on a line x = 0, 100, ..., 9,900 (y = 0), sorted, in row groups of 10 rows."""
    monkeypatch.setattr(io, "ROW_GROUP_ROWS", 10)
    frame = gpd.GeoDataFrame({"nr": np.arange(100)}, geometry=shapely.points(np.arange(100) * 100.0, 0.0),
                             crs=WORKING_CRS)
    return io.write_parquet(frame, tmp_path / "punten.parquet")


def test_rows_near_boxes_from_few_row_groups(tmp_path, monkeypatch):
    path = _points(tmp_path, monkeypatch)
    monkeypatch.setattr(io, "READ_GROUPS", 2)  # several reads, each filtered before the next
    read = []
    original = io.pq.ParquetFile.read_row_groups
    monkeypatch.setattr(io.pq.ParquetFile, "read_row_groups",
                        lambda self, groups, **kw: read.append(list(groups)) or original(self, groups, **kw))
    # boxes around x 1,000-1,150 and x 7,000; cell 1 m: only rows meeting a box (and their 1 m cells)
    boxes = np.array([[1000.0, -5.0, 1150.0, 5.0], [6999.5, -1.0, 7000.5, 1.0]])
    out = io.read_parquet(path, boxes=boxes, cell=1.0)
    assert out["nr"].tolist() == [10, 11, 70]
    assert out.crs.to_epsg() == 28992
    # row groups 1 (rows 10-19) and 7 (rows 70-79) only; boxes meeting nothing: no rows, same columns
    assert read == [[1, 7]]
    none = io.read_parquet(path, boxes=np.array([[50_000.0, 0.0, 50_001.0, 1.0]]), cell=1.0)
    assert len(none) == 0 and list(none.columns) == ["nr", "geometry"]



def test_rows_by_position_come_from_the_row_groups_that_hold_them(tmp_path, monkeypatch):
    """A partition's kavels by their positions in the file: in the order asked, only their row groups read."""
    path = _points(tmp_path, monkeypatch)
    read = []
    original = io.pq.ParquetFile.read_row_groups
    monkeypatch.setattr(io.pq.ParquetFile, "read_row_groups",
                        lambda self, groups, **kw: read.append(list(groups)) or original(self, groups, **kw))
    out = io.read_parquet(path, rows=np.array([71, 12, 10, 79]))
    assert out["nr"].tolist() == [71, 12, 10, 79] and read == [[1, 7]]  # row groups of 10 rows
    assert shapely.get_x(out.geometry.to_numpy()).tolist() == [7100.0, 1200.0, 1000.0, 7900.0]
    assert len(io.read_parquet(path, rows=np.array([], dtype=np.int64))) == 0

def test_boxes_over_every_row_group_are_read_in_batches(tmp_path, monkeypatch):
    path = _points(tmp_path, monkeypatch)
    monkeypatch.setattr(io, "READ_GROUPS", 3)
    read = []
    original = io.pq.ParquetFile.read_row_groups
    monkeypatch.setattr(io.pq.ParquetFile, "read_row_groups",
                        lambda self, groups, **kw: read.append(list(groups)) or original(self, groups, **kw))
    boxes = np.array([[x - 1.0, -1.0, x + 1.0, 1.0] for x in np.arange(0, 10_000, 500.0)])  # every 5th point
    out = io.read_parquet(path, boxes=boxes, cell=1.0)
    assert out["nr"].tolist() == list(range(0, 100, 5))
    assert read == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_points_are_made_from_the_covering_column_and_equal_the_wkb(tmp_path, monkeypatch):
    """A layer of points is read without decoding its WKB: xmin and ymin of the bbox covering are each point's
    coordinates as doubles, so the points are the very same; when the row groups' statistics say every row has a
    bbox, the WKB column is not even read. A file with a missing or an empty point (no bbox) is read and decoded
    from its WKB, so None stays None and POINT EMPTY stays empty."""
    xy = np.array([[155_000.123456789, 463_000.987654321], [1e-9, -0.1], [99_999.5, 400_000.25]])
    frame = gpd.GeoDataFrame({"nr": [1, 2, 3]}, geometry=shapely.points(xy), crs=WORKING_CRS)
    path = io.write_parquet(frame, tmp_path / "punten.parquet")
    decoded, read = [], []
    original, whole, groups = io.shapely.from_wkb, io.pq.ParquetFile.read, io.pq.ParquetFile.read_row_groups
    monkeypatch.setattr(io.shapely, "from_wkb", lambda *a, **kw: decoded.append(1) or original(*a, **kw))
    monkeypatch.setattr(io.pq.ParquetFile, "read", lambda self, **kw: read.append(kw["columns"]) or whole(self, **kw))
    monkeypatch.setattr(io.pq.ParquetFile, "read_row_groups",
                        lambda self, g, **kw: read.append(kw["columns"]) or groups(self, g, **kw))
    for out in (io.read_parquet(path), io.read_parquet(path, boxes=np.array([[0.0, -1.0, 2e5, 5e5]]))):
        assert list(out.columns) == ["nr", "geometry"] and out.crs.to_epsg() == 28992
        assert (shapely.to_wkb(out.geometry.to_numpy()) == shapely.to_wkb(frame.geometry.to_numpy())).all()
    assert decoded == [] and read == [["nr", "bbox"], ["nr", "bbox"]]
    gaps = gpd.GeoDataFrame({"nr": [1, 2, 3]}, geometry=[shapely.Point(1, 2), None, shapely.from_wkt("POINT EMPTY")],
                            crs=WORKING_CRS)
    out = io.read_parquet(io.write_parquet(gaps, tmp_path / "gaten.parquet"))
    assert decoded and read[-1] == ["nr", "geometry", "bbox"]
    assert out.geometry.iloc[1] is None and out.geometry.iloc[2].is_empty
    assert out.geometry.iloc[0].equals_exact(shapely.Point(1, 2), 0)


def test_box_grid_marks_every_row_meeting_a_box_and_none_far_from_all():
    """BoxGrid (the row filter of these reads) against a brute-force check, for points (the verblijfsobjecten: one
    cell each) and rectangles: every row whose bbox meets a box is kept, no row farther than two cells from every
    box is, and a row with NaN bounds (an empty geometry) is not."""
    from pipeline.boxgrid import BoxGrid

    rng = np.random.default_rng(7)
    corner = rng.uniform(0, 5_000, (300, 2))
    boxes = np.c_[corner, corner + rng.uniform(0, 80, (300, 2))]
    xy = rng.uniform(-500, 5_500, (20_000, 2))
    points = np.c_[xy, xy]
    rects = np.c_[xy, xy + rng.uniform(0, 30, (20_000, 2))]
    rects[0] = np.nan
    cell = 25.0
    grid = BoxGrid(boxes, cell)
    for rows in (points, rects):
        kept = grid(rows)
        # gap between each row's bbox and each box, per axis (0 when they overlap on it)
        gx = np.maximum(boxes[None, :, 0] - rows[:, None, 2], rows[:, None, 0] - boxes[None, :, 2]).clip(0)
        gy = np.maximum(boxes[None, :, 1] - rows[:, None, 3], rows[:, None, 1] - boxes[None, :, 3]).clip(0)
        meets = ((gx == 0) & (gy == 0)).any(axis=1)
        far = (np.maximum(gx, gy) > 2 * cell).all(axis=1)
        assert kept[meets].all() and not kept[far].any()
        assert 0 < meets.sum() < kept.sum()  # a superset (and none of it far: above)
    assert not grid(rects[:1]).any()
    assert not BoxGrid(np.zeros((0, 4)))(points).any()


def test_only_columns_with_few_distinct_values_are_dictionary_encoded(tmp_path):
    """Ids, WKB and the bbox covering are written plain (a dictionary of unique values is encoded twice: Parquet
    falls back only when the dictionary page is full); repeated values get a dictionary, and the table reads back
    the same either way."""
    import pandas as pd
    import pyarrow.parquet as pq

    n = 3000
    frame = gpd.GeoDataFrame({"pand_id": [f"0772100000{i:06d}" for i in range(n)],
                              "status": ["Pand in gebruik", "Pand gesloopt", None] * (n // 3),
                              "bouwjaar": np.arange(n) % 7 + 1990,
                              "soort": pd.Categorical(["pand", "bijgebouw"] * (n // 2))},  # a dictionary already
                             geometry=shapely.points(np.arange(n), np.arange(n)), crs=WORKING_CRS)
    path = io.write_parquet(frame, tmp_path / "panden.parquet")
    meta = pq.ParquetFile(path).metadata.row_group(0)
    encoded = {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)}
    dictionary = {c for c, encodings in encoded.items() if any("DICTIONARY" in e for e in encodings)}
    assert dictionary == {"status", "bouwjaar", "soort"}
    assert "bbox.xmin" in encoded and "geometry" in encoded and "pand_id" in encoded
    back = io.read_parquet(path)
    assert back["pand_id"].tolist() == frame["pand_id"].tolist() and back["status"].isna().sum() == n // 3


def test_hilbert_keys_are_those_of_the_classic_loop_and_of_hand_worked_corners():
    """The table-driven keys equal the classic xy -> d loop (one level at a time) for random cells, the corners
    and the edges of the grid; the corners by hand: the curve starts in the south-west cell, ends in the south-east
    one; the north-west cell is quadrant 1 on every level, (4^16 - 1) / 3, the north-east one quadrant 2."""
    from pipeline import hilbert
    from pipeline.crs import NL_EXTENT_RD

    n = 1 << hilbert.HILBERT_LEVEL

    def classic(x, y):
        d, s = np.zeros(len(x), dtype=np.int64), n // 2
        while s > 0:
            rx, ry = (x & s) > 0, (y & s) > 0
            d += s * s * ((3 * rx) ^ ry)
            turn = ~ry & rx
            x, y = np.where(turn, s - 1 - x, x), np.where(turn, s - 1 - y, y)
            x, y = np.where(~ry, y, x), np.where(~ry, x, y)
            s //= 2
        return d

    rng = np.random.default_rng(7)
    edge = np.arange(0, n, 97)
    cx = np.concatenate([rng.integers(0, n, 200_000), edge, edge, np.zeros_like(edge), np.full_like(edge, n - 1)])
    cy = np.concatenate([rng.integers(0, n, 200_000), edge, edge[::-1], edge, edge])
    x0, y0, x1, y1 = NL_EXTENT_RD
    centres = shapely.points(x0 + (cx + 0.5) / n * (x1 - x0), y0 + (cy + 0.5) / n * (y1 - y0))
    assert np.array_equal(hilbert.hilbert_keys(centres), classic(cx, cy).astype(np.uint32))
    corners = shapely.points([x0 + 1, x1 - 1, x0 + 1, x1 - 1], [y0 + 1, y0 + 1, y1 - 1, y1 - 1])
    assert hilbert.hilbert_keys(corners).tolist() == [0, 4 ** 16 - 1, (4 ** 16 - 1) // 3, 2 * (4 ** 16 - 1) // 3]
