import torch

from nas.data import make_synthetic


def test_sizes_labels_and_determinism():
    a = make_synthetic(n_train=40, n_val=10, n_test=12, image_size=8, num_classes=5, seed=3)
    b = make_synthetic(n_train=40, n_val=10, n_test=12, image_size=8, num_classes=5, seed=3)
    c = make_synthetic(n_train=40, n_val=10, n_test=12, image_size=8, num_classes=5, seed=4)
    assert (len(a.y_train), len(a.y_val), len(a.y_test)) == (40, 10, 12)
    assert a.x_train.shape == (40, 8, 8, 3) and a.num_classes == 5
    assert set(a.y_train.tolist()) == set(range(5))
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)


def test_classes_differ_in_mean_colour():
    d = make_synthetic(n_train=400, n_val=40, n_test=40, image_size=8, num_classes=4)
    means = torch.stack([d.x_train[d.y_train == k].float().mean((0, 1, 2)) for k in range(4)])
    assert torch.cdist(means, means).fill_diagonal_(1e9).min() > 5
