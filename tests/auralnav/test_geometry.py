import numpy as np
import pytest

from auralnav.geometry import Floor, mic_positions, signed_area, try_move, try_moves
from configs.auralnav import get_params

SQUARE = Floor.from_params(get_params("1", room_dim=(4.0, 2.0)))
L_SHAPE = Floor(np.array([(0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4)], dtype=float))  # not convex: geometry only


def test_polygon_rooms_are_counter_clockwise_and_convex():
    tri = Floor.polygon([(0, 0), (0, 3), (3, 0)])  # clockwise on purpose
    assert signed_area(tri.corners) == pytest.approx(4.5)
    assert signed_area(L_SHAPE.corners) == pytest.approx(12.0)
    with pytest.raises(ValueError, match="room_corners must form a convex polygon"):
        Floor.polygon(L_SHAPE.corners[::-1])
    with pytest.raises(ValueError, match="room_corners encloses no area"):
        Floor.polygon([(0, 0), (1, 1), (2, 2)])


@pytest.mark.parametrize(
    ("floor", "point", "inside", "distance"),
    [(SQUARE, (1.0, 0.5), True, 0.5), (SQUARE, (3.9, 1.0), True, 0.1), (SQUARE, (5.0, 1.0), False, 1.0),
     (L_SHAPE, (1.0, 3.0), True, 1.0), (L_SHAPE, (3.0, 3.0), False, 1.0), (L_SHAPE, (2.5, 2.5), False, 0.5)],
)
def test_contains_and_clearance(floor, point, inside, distance):
    assert floor.contains(point) is inside
    assert floor.wall_distance(point) == pytest.approx(distance)
    assert floor.clearance(point) == pytest.approx(distance if inside else -distance)


def test_vectorised_queries_match_single_ones():
    pts = np.random.default_rng(0).uniform(-1, 5, size=(50, 2))
    np.testing.assert_array_equal(L_SHAPE.contains(pts), [L_SHAPE.contains(p) for p in pts])
    np.testing.assert_allclose(L_SHAPE.clearance(pts), [L_SHAPE.clearance(p) for p in pts])


def test_ears_are_across_the_heading_left_first():
    mics = mic_positions((1.0, 1.0), 0.0, 0.2)  # facing +x: left ear at +y
    np.testing.assert_allclose(mics, [[1.0, 1.1], [1.0, 0.9]])
    mics = mic_positions((1.0, 1.0), np.pi / 2, 0.2)  # facing +y: left ear at -x
    np.testing.assert_allclose(mics, [[0.9, 1.0], [1.1, 1.0]], atol=1e-12)


def test_a_move_into_a_wall_leaves_the_agent_in_place():
    new, moved = try_move(SQUARE, (3.5, 1.0), 0.0, 0.5, 0.175)
    assert not moved and np.allclose(new, (3.5, 1.0))
    new, moved = try_move(SQUARE, (3.5, 1.0), 0.0, -0.5, 0.175)  # backward is free
    assert moved and np.allclose(new, (3.0, 1.0))


def test_a_move_cannot_cut_a_corner_of_a_non_convex_room():
    # from (1.8, 2.2) to (2.2, 1.8): both ends are clear of the walls but the way passes the inner corner (2, 2)
    start, heading = np.array([1.8, 2.3]), -np.pi / 4
    end = start + 0.6 * np.array([np.cos(heading), np.sin(heading)])
    assert L_SHAPE.clearance(start) > 0.1 and L_SHAPE.clearance(end) > 0.1
    _, moved = try_move(L_SHAPE, start, heading, 0.6, 0.1)
    assert not moved


def test_try_moves_matches_try_move():
    headings = np.linspace(-np.pi, np.pi, 12, endpoint=False)
    new, moved = try_moves(SQUARE, (3.6, 1.6), headings, 0.5, 0.175)
    for h, n, m in zip(headings, new, moved, strict=True):
        n1, m1 = try_move(SQUARE, (3.6, 1.6), h, 0.5, 0.175)
        assert m1 == m and np.allclose(n1, n)


def test_sample_respects_clearance_and_distance_and_fails_clearly():
    rng = np.random.default_rng(0)
    away = [np.array([1.0, 1.0])]
    for _ in range(100):
        p = L_SHAPE.sample(rng, 0.3, away, 1.0)
        assert L_SHAPE.clearance(p) >= 0.3 and np.linalg.norm(p - away[0]) >= 1.0
    with pytest.raises(ValueError, match="could not place source 3 in the room"):
        SQUARE.sample(rng, 0.5, [(2.0, 1.0)], 5.0, what="source 3", tries=100)
