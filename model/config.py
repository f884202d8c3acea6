"""Frozen configuration of the model; an export carries it so the loader can rebuild from it alone."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1


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

    @classmethod
    def efficientat(cls) -> "FrontEndConfig":
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


@dataclass(frozen=True)
class ModelConfig:
    frontend: FrontEndConfig = field(default_factory=FrontEndConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    shared_encoder: bool = False
    query_seconds: float = 4.0
    key_seconds: float = 4.0
    query_excerpts: int = 10
    model_id: str = "untrained"

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
    def from_dict(cls, d: dict) -> "ModelConfig":
        d = dict(d)
        fe = FrontEndConfig(**d.pop("frontend", {}))
        enc = dict(d.pop("encoder", {}))
        enc["backbone_kwargs"] = tuple(sorted(dict(enc.get("backbone_kwargs", {})).items()))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(frontend=fe, encoder=EncoderConfig(**enc), **d)

    def replace(self, **changes) -> "ModelConfig":
        return dataclasses.replace(self, **changes)
