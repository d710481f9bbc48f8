import copy

import pytest
import torch

from nas.builder import build
from nas.data import TrainLoader, make_synthetic
from nas.genome import Genome
from nas.train import evaluate, preset, train
from nas.train.bn import RECAL_SEED, bn_layers, recalibrate_bn
from nas.train.checkpoint import load as load_checkpoint


@pytest.fixture(scope="module")
def data():
    return make_synthetic(n_train=320, n_val=64, n_test=64, image_size=8, num_classes=3)


def net(genome="cv_c8/cv_c16_s2/head", seed=0):
    torch.manual_seed(seed)
    return build(Genome.from_string(genome).replace_head(c=3))


def cfg(**kw):
    return preset("proxy", **{"epochs": 2, "batch_size": 64, "lr": 0.1, **kw})


def test_running_stats_become_the_average_of_the_batch_statistics(data):
    model = net("cv_c8/head")
    first_conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    bn = bn_layers(model)[0]
    assert recalibrate_bn(model, data, images=128, batch_size=64) == 128
    loader = TrainLoader(data.subset(128), 64, RECAL_SEED)  # the same augmented draws
    with torch.no_grad():
        outs = [first_conv(x) for x, _ in loader.epoch(0)]
    means = torch.stack([o.mean((0, 2, 3)) for o in outs])
    variances = torch.stack([o.var((0, 2, 3), unbiased=True) for o in outs])
    torch.testing.assert_close(bn.running_mean, means.mean(0), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(bn.running_var, variances.mean(0), rtol=1e-4, atol=1e-5)


def test_weights_mode_and_momentum_are_untouched(data):
    model = net().eval()
    before = {k: v.clone() for k, v in model.state_dict().items() if "running" not in k
              and "num_batches" not in k}
    assert recalibrate_bn(model, data, images=100, batch_size=32) == 96  # 4 dropped
    torch.manual_seed(7)
    expected = torch.rand(1)
    torch.manual_seed(7)
    recalibrate_bn(model, data, images=64, batch_size=32)
    assert torch.equal(torch.rand(1), expected)  # the global RNG is untouched
    after = model.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in before.items())
    assert not model.training
    assert all(m.momentum == 0.1 for m in bn_layers(model))


def test_no_bn_or_no_images_does_nothing(data):
    assert recalibrate_bn(net("cv_c8_n0/head"), data) == 0
    assert recalibrate_bn(net(), data, images=0) == 0


def test_recalibration_repairs_stale_statistics(data):
    """Issue 12: running averages far from the current weights' statistics make the net
    predict one class in eval mode; recomputing them gives the net's real accuracy back."""
    model = net()
    train(model, data, cfg(bn_recal=0), progress="none")
    good = evaluate(model, data)[1]
    for bn in bn_layers(model):  # what a short, fast-moving schedule leaves behind
        bn.running_var.mul_(1000.0)
        bn.running_mean.add_(5.0)
    stale = evaluate(model, data)[1]
    recalibrate_bn(model, data, images=256, batch_size=64)
    fixed = evaluate(model, data)[1]
    assert good > 0.6 and stale < good - 0.2
    assert fixed > stale + 0.2


def test_loop_records_stale_accuracy_only_when_asked(data):
    plain = train(net(), data, cfg(epochs=1), progress="none").history[0]
    assert plain.val_acc_stale is None
    both = train(net(), data, cfg(epochs=1, eval_stale=True), progress="none").history[0]
    assert isinstance(both.val_acc_stale, float) and both.val_acc == plain.val_acc
    off = train(net(), data, cfg(epochs=1, eval_stale=True, bn_recal=0),
                progress="none").history[0]
    assert off.val_acc_stale == off.val_acc


def test_checkpoint_from_before_the_option_still_resumes(data, tmp_path):
    """Checkpoints written before ``bn_recal``/``eval_stale`` existed carry no such keys:
    they ran with what are now the defaults' training steps and keep resuming."""
    path = tmp_path / "ck.pt"
    model = net()
    train(model, data, cfg(), checkpoint=path, progress="none")
    state = torch.load(path, weights_only=False)
    for key in ("bn_recal", "eval_stale"):
        del state["config"][key]
    torch.save(state, path)
    assert load_checkpoint(path, model.genome, cfg().to_dict()) is not None


def test_dropout_is_off_while_recalibrating(data):
    """Dropout in front of a BN layer would inflate the variance the BN layer stores."""
    with_dp = net("cv_c8,dp_p0.5,cv_c8/head")
    without = copy.deepcopy(with_dp)
    without.stages[0][1] = torch.nn.Identity()  # the same net with the dropout removed
    recalibrate_bn(with_dp, data, images=128, batch_size=64)
    recalibrate_bn(without, data, images=128, batch_size=64)
    torch.testing.assert_close(bn_layers(with_dp)[1].running_var,
                               bn_layers(without)[1].running_var)
