import numpy as np
import pytest
import torch

from paying_attention import setup_chapter


def test_setup_chapter_makes_draws_repeat():
    rng = setup_chapter(7)
    first = (rng.normal(size=3), np.random.rand(3), torch.rand(3))
    rng = setup_chapter(7)
    second = (rng.normal(size=3), np.random.rand(3), torch.rand(3))
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert torch.equal(first[2], second[2])
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("kwargs,error", [({"seed": -1}, ValueError), ({"seed": "0"}, TypeError),
                                          ({"threads": 0}, ValueError)])
def test_setup_chapter_rejects_bad_input(kwargs, error):
    with pytest.raises(error):
        setup_chapter(**kwargs)
