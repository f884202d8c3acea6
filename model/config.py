"""Frozen configuration of the model; an export carries it so the loader can rebuild from it alone."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1


def _positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")


def _number(name: str, value: Any, low: float, high: float, low_open: bool = False) -> None:
    """A finite number in [low, high] (or (low, high] with low_open)."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
          and (low < value if low_open else low <= value) and value <= high)
    if not ok:
        raise ValueError(f"{name} must be a number in {'(' if low_open else '['}{low:g}, {high:g}], not {value!r}")


def _flag(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, not {value!r}")


@dataclass(frozen=True)
class FrontEndConfig:
    sample_rate: int = 44100
    n_fft: int = 2048
    hop_length: int = 512
    # Hann window of win_length samples (0 = n_fft), centred in the n_fft frame; periodic or symmetric.
    win_length: int = 0
    window_periodic: bool = True
    n_mels: int = 128
    f_min: float = 0.0
    f_max: float = 22050.0
    # "slaney": librosa's / nnAudio's area-normalised filters; "kaldi": triangles of peak 1 on
    # mel = 1127 ln(1 + f / 700), as EfficientAT (torchaudio.compliance.kaldi.get_mel_banks).
    mel_scale: str = "slaney"
    # y[n] = x[n] - preemphasis * x[n - 1] before the STFT (0 = off).
    preemphasis: float = 0.0
    # Fixed affine map of log-power ("log10" or "ln") to roughly zero mean / unit variance before
    # the backbone: (log(power + log_eps) + log_offset) * log_scale.
    log: str = "log10"
    log_eps: float = 1e-6
    log_offset: float = 4.0
    log_scale: float = 0.25
    # "nnaudio": nnAudio's conv STFT (the method's front end); "torch": torch.stft with the
    # same window and mel basis, several times faster on CPU (tests prove the numbers agree).
    backend: str = "torch"

    def __post_init__(self):
        # A config is data from a file: nonsense fails here, by name, not deep inside the front end.
        for name in ("sample_rate", "n_fft", "hop_length", "n_mels"):
            _positive_int(f"frontend.{name}", getattr(self, name))
        if isinstance(self.win_length, bool) or not isinstance(self.win_length, int) \
                or not 0 <= self.win_length <= self.n_fft:
            raise ValueError(f"frontend.win_length must be 0 (= n_fft) or 1..n_fft ({self.n_fft}), "
                             f"not {self.win_length!r}")
        _flag("frontend.window_periodic", self.window_periodic)
        _number("frontend.f_max", self.f_max, 0, math.inf, low_open=True)
        _number("frontend.f_min", self.f_min, 0, math.inf)
        if self.f_min >= self.f_max:
            raise ValueError(f"frontend.f_min ({self.f_min:g}) must be below f_max ({self.f_max:g})")
        _number("frontend.preemphasis", self.preemphasis, 0, 0.9999)
        _number("frontend.log_eps", self.log_eps, 0, math.inf, low_open=True)
        _number("frontend.log_offset", self.log_offset, -math.inf, math.inf)
        _number("frontend.log_scale", self.log_scale, 0, math.inf, low_open=True)

    @classmethod
    def efficientat(cls) -> FrontEndConfig:
        """EfficientAT's front end, which its pretrained models (mn04) were trained on."""
        return cls(sample_rate=32000, n_fft=1024, hop_length=320, win_length=800, window_periodic=False,
                   n_mels=128, f_min=0.0, f_max=15000.0, mel_scale="kaldi", preemphasis=0.97, log="ln",
                   log_eps=1e-5, log_offset=4.5, log_scale=0.2)


@dataclass(frozen=True)
class EncoderConfig:
    backbone: str = "efficientnet_b0"
    embed_dim: int = 256
    # Extra timm.create_model keyword arguments, e.g. drop_rate; kept as sorted pairs so the
    # config stays hashable and JSON-friendly.
    backbone_kwargs: tuple[tuple[str, Any], ...] = ()
    # What the weights started from ("scratch", "mn04 (AudioSet)", a checkpoint's name): a record only.
    init: str = "scratch"

    def __post_init__(self):
        _positive_int("encoder.embed_dim", self.embed_dim)


@dataclass(frozen=True)
class ModelConfig:
    frontend: FrontEndConfig = field(default_factory=FrontEndConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    shared_encoder: bool = False
    query_seconds: float = 4.0
    key_seconds: float = 4.0
    query_excerpts: int = 10
    # Non-empty: the query encoder gives one vector per class and a key is scored by its class's
    # (model.conditioning); empty: one query vector for every key (the method's).
    query_classes: tuple[str, ...] = ()
    # With query_classes: the query tasks, each its own block of class vectors (model.conditioning.QUERY_MODES);
    # empty: "fit" only.
    query_modes: tuple[str, ...] = ()
    model_id: str = "untrained"

    def __post_init__(self):
        _flag("shared_encoder", self.shared_encoder)
        if self.query_modes and (not self.query_classes or self.query_modes[0] != "fit"
                                 or len(set(self.query_modes)) != len(self.query_modes)
                                 or not set(self.query_modes) <= {"fit", "like"}):
            raise ValueError(f"query_modes must start with 'fit', name 'fit'/'like' once each and come with "
                             f"query_classes, got {self.query_modes!r}")
        _number("query_seconds", self.query_seconds, 0, 3600, low_open=True)
        _number("key_seconds", self.key_seconds, 0, 3600, low_open=True)
        _positive_int("query_excerpts", self.query_excerpts)

    @property
    def query_outputs(self) -> int:
        """Vectors per query: one, or a block of len(query_classes) per query mode."""
        return max(1, len(self.query_classes)) * max(1, len(self.query_modes))

    @property
    def query_samples(self) -> int:
        return int(round(self.query_seconds * self.frontend.sample_rate))

    @property
    def key_samples(self) -> int:
        return int(round(self.key_seconds * self.frontend.sample_rate))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["encoder"]["backbone_kwargs"] = {k: v for k, v in self.encoder.backbone_kwargs}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        d = dict(d)
        fe = FrontEndConfig(**d.pop("frontend", {}))
        enc = dict(d.pop("encoder", {}))
        enc["backbone_kwargs"] = tuple(sorted(dict(enc.get("backbone_kwargs", {})).items()))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        for name in ("query_classes", "query_modes"):
            if name in d:
                d[name] = tuple(d[name])
        return cls(frontend=fe, encoder=EncoderConfig(**enc), **d)

    def replace(self, **changes) -> ModelConfig:
        return dataclasses.replace(self, **changes)
