"""SampleMatch model: log-mel front end, query/key encoders, scoring and weight loading.

Never imports Qt or training code. Torch is needed to train and export (model.encoders, model.frontend,
model.weights' loaders); running exported encoders needs only numpy and ONNX Runtime (model.inference_onnx),
so importing this package does not import torch.
"""
from model.config import FORMAT_VERSION, EncoderConfig, FrontEndConfig, ModelConfig

__all__ = ["FORMAT_VERSION", "EncoderConfig", "FrontEndConfig", "ModelConfig", "SampleMatchModel"]


def __getattr__(name: str):
    if name == "SampleMatchModel":  # imports torch and timm: only when asked for
        from model.encoders import SampleMatchModel

        return SampleMatchModel
    raise AttributeError(f"module 'model' has no attribute {name!r}")
