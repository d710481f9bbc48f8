"""Reference architectures: the seed READMEs' networks and ResNet-20, as genomes.

These are the baselines every search is compared against. Facts about each original
(parameter counts, reported accuracies) are quoted in the docstrings of ``ZOO`` entries;
counts marked *exact* are asserted by the tests against the seeds' own model summaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from nas.errors import NasError
from nas.genome import Genome, GenomeError


@dataclass(frozen=True)
class ZooEntry:
    name: str
    genome: str
    doc: str
    exact_params: int | None = None  # the original's count, when we reproduce it exactly

    @property
    def parsed(self) -> Genome:
        return Genome.from_string(self.genome)


ZOO: dict[str, ZooEntry] = {e.name: e for e in (
    ZooEntry(
        "seed003",
        "cv_c16_b1,ds_c32_b1/ds_c48_b1,cv_c48_s2_b1/ds_c64_b1,cv_c64_d2_b1/"
        "ds_c96_s2_b1,cv_k1_c96_b1/head_p0.05",
        "Seed 003 'CustomCNN' (PyTorch), exact: 82,474 params, 19.87M mult-adds per its "
        "torchinfo summary; 16-32-48-64-96 channels, biased convs with BN, separable "
        "convs, a stride-2 conv and a stride-2 separable conv instead of pooling, one "
        "dilated conv, GAP, dropout 0.05. Reported 86.74% test after 20 epochs with "
        "OneCycle and Albumentations. (Its README claims RF 47; the standard formula on its "
        "layers gives 25.)",
        exact_params=82_474,
    ),
    ZooEntry(
        "seed004",
        "cv_c16,ds_c24_b1/cv_c32_s2,ds_c48_b1/cv_c64_s2,cv_c64_d2_b1/"
        "cv_c96_s2,ds_c128_b1,cv_k1_c48/head",
        "Seed 004 (TSAI ERA V3 S8), exact: 150,738 params; bias-free strided convs for "
        "downsampling, biased separable and dilated convs, 1x1 conv to 48 channels, GAP, "
        "linear. Reported 85.19% test after 37 epochs, 87.31% after 50.",
        exact_params=150_738,
    ),
    ZooEntry(
        "seed000",
        "cv_c32_asilu/rb_c64_x1_asilu_se0.25,rb_c64_x1_asilu_se0.25/"
        "rb_c128_s2_x1_asilu_se0.25,rb_c128_x1_asilu_se0.25/"
        "rb_c228_s2_x1_asilu_se0.25,rb_c228_x1_asilu_se0.25/head_p0.3",
        "Close reproduction (390,528 params) of seed 000's 'Compact SE-ResNet' (Keras, "
        "~392,000 params, reported 90.33% test): separable residual blocks with SE and "
        "Swish, GAP. The original's layer list is not published; widths are chosen to "
        "match its count.",
    ),
    ZooEntry(
        "seed001",
        "cv_c32/rb_c32,rb_c32,dp_p0.1/rb_c64_s2,rb_c64,dp_p0.1/rb_c128_s2,dp_p0.1/head",
        "Close reproduction (401,194 params) of seed 001's lightweight residual CNN "
        "(PyTorch, ~401K params): 3x3 conv-BN-ReLU stem, residual blocks, strided-conv "
        "downsampling, dropout inside the residual stages, GAP, one linear layer.",
    ),
    ZooEntry(
        "seed002",
        "cv_c32,dp_p0.05/ds_c64_d2,ds_c64_d4/ds_c96_d8,ds_c96_d16_se0.25/"
        "cv_c96_r1,aspp_c96/head_h64",
        "Close reproduction (197,378 params, 192.3M MACs) of seed 002's dilated network "
        "(<200k params, reported 86.48% test): conv-BN-ReLU-dropout stem, separable convs "
        "with dilation 2,4 then 8,16, SE-like attention, a residual conv (the original's "
        "deconvolution), ASPP with rates 6,12,18, GAP and two linear layers. The README "
        "gives no downsampling, and none is added: a 3x3 conv with dilation 16 only sees "
        "beyond its centre on maps of more than 16 px, and ASPP's rate 18 on 32 px. "
        "Approximate: the channel widths (32-64-96), the deconvolution as a 3x3 conv, the "
        "hidden width 64 of the head.",
    ),
    ZooEntry(
        "seed002-strided",
        "cv_c32,dp_p0.05/ds_c64_s2_d2,ds_c64_d4/ds_c96_s2_d8,ds_c96_d16_se0.25/"
        "cv_c96_r1,aspp_c96/head_h64",
        "The reproduction of seed 002 used before 2026-11-24 (197,378 params, 14.4M MACs; "
        "results/cifar/): seed002 with stride 2 added to the first conv of each dilated "
        "stage, which leaves dilations 8 and 16 and ASPP's rates larger than the 8-px maps "
        "they run on. Kept so those results stay reproducible; not a faithful baseline.",
    ),
    ZooEntry(
        "resnet20",
        "cv_c16/rb_c16,rb_c16,rb_c16/rb_c32_s2,rb_c32,rb_c32/rb_c64_s2,rb_c64,rb_c64/head",
        "ResNet-20 for CIFAR (He et al. 2016, 0.27M params): 3 stages of 3 basic blocks, "
        "16-32-64 channels; 1x1 projection shortcuts where the shape changes (272,474).",
    ),
)}


def resolve(name_or_genome: str) -> tuple[str, Genome]:
    """A zoo name or a genome string -> (display name, genome).

    A word with none of a genome's separators (``_ , /``) that is not in the zoo is a
    mistyped name: the error lists the zoo rather than complaining about an unknown op.
    """
    if name_or_genome in ZOO:
        return name_or_genome, ZOO[name_or_genome].parsed
    try:
        g = Genome.from_string(name_or_genome)
    except GenomeError:
        if any(sep in name_or_genome for sep in "_,/"):
            raise
        raise NasError(f"unknown zoo name {name_or_genome!r}: expected one of "
                       f"{', '.join(ZOO)}, or a genome string such as 'cv_c16/head'") from None
    return g.arch_id, g
