import pytest

from configs.auralnav import TASKS, AuralNavParams, get_params


def test_task_1_is_the_original_experiment():
    p = get_params("1")
    assert p.room_dim == (8.0, 8.0) and p.num_sources == 2 and p.sources == ("phone", "siren")
    assert (p.step_size, p.acceptable_radius, p.turn_deg, p.mic_spacing) == (0.5, 1.0, 30.0, 0.15)
    assert (p.step_penalty, p.turn_penalty, p.found_reward) == (-0.5, -0.1, 100.0)
    assert p.absorption == 1.0 and p.max_order == 10 and p.max_episode_steps == 1000
    assert p.window == 16000 and not p.is_3d


def test_every_task_resolves_and_999_is_quick():
    for task in TASKS:
        assert isinstance(get_params(task), AuralNavParams)
    assert get_params("999").quick_test and not get_params("1").quick_test
    assert get_params("3").is_3d and get_params("4").room_corners


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"acceptable_radius": 0.2}, "acceptable_radius .* step_size / 2"),
        ({"absorption": 1.5}, "absorption"),
        ({"max_order": -1}, "max_order"),
        ({"step_size": 0.0}, "step_size"),
        ({"room_dim": (8.0,)}, "room_dim"),
        ({"room_height": 3.0}, "room_height"),
        ({"room_corners": ((0.0, 0.0), (1.0, 0.0))}, "room_corners"),
        ({"room_dim": (8.0, 8.0, 3.0), "mic_height": 3.5}, "mic_height"),
        ({"sources": ("phone", "violin")}, r"sources: unknown kind\(s\) \['violin'\]"),
        ({"source_positions": ((1.0, 1.0),)}, "source_positions holds 1"),
        ({"agent_start": (1.0,)}, "agent_start"),
        ({"start_distance": 0.5}, "start_distance"),
        ({"source_wall_margin": 0.1}, "source_wall_margin"),
        ({"window_s": 5.0}, "window_s"),
        ({"wall_margin": -0.1}, "wall_margin"),
    ],
)
def test_bad_parameters_name_the_parameter(overrides, match):
    with pytest.raises(ValueError, match=match):
        get_params("1", **overrides)


def test_unknown_and_mistyped_keys():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['step'\].*step_size"):
        get_params("1", step=1.0)
    with pytest.raises(ValueError, match="num_sources"):
        get_params("1", num_sources=2.5)
