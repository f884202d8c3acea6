"""SampleMatch model: log-mel front end, query/key encoders, scoring and weight loading.

Torch (plus numpy/scipy/soundfile for audio input) only: never imports Qt or training code.
"""
from model.config import FORMAT_VERSION, EncoderConfig, FrontEndConfig, ModelConfig
from model.encoders import SampleMatchModel

__all__ = ["FORMAT_VERSION", "EncoderConfig", "FrontEndConfig", "ModelConfig", "SampleMatchModel"]
