"""Writes model/scoring.onnx, the graph that scores a library (model.scoring): build it again with
`python -m model.scoring_graph` (needs the onnx package of the training install; the app only reads the file).

scores (n, k) = float(codes (n, d) uint8 - 128) @ query_int8 (d, 2k)) @ query_scales (2k, k) * row_scales (n, 1)

ONNX Runtime's MatMulInteger takes unsigned rows by signed columns on the CPU's 8-bit dot-product
instructions (VNNI, AVX2): about three times numpy's int8 -> float32 conversion plus a float matrix product.
"""
from __future__ import annotations

from pathlib import Path

GRAPH_FILE = Path(__file__).with_name("scoring.onnx")
INPUTS = ("codes", "query", "query_scales", "row_scales")
OUTPUT = "scores"
ZERO_POINT = 128


def scoring_graph_bytes() -> bytes:
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    codes, query, query_scales, row_scales = INPUTS
    nodes = [helper.make_node("MatMulInteger", [codes, query, "zero_point"], ["dots"]),
             helper.make_node("Cast", ["dots"], ["dots_float"], to=TensorProto.FLOAT),
             helper.make_node("MatMul", ["dots_float", query_scales], ["unscaled"]),
             helper.make_node("Mul", ["unscaled", row_scales], [OUTPUT])]
    graph = helper.make_graph(
        nodes, "samplematch_scores",
        [helper.make_tensor_value_info(codes, TensorProto.UINT8, ["rows", "dims"]),
         helper.make_tensor_value_info(query, TensorProto.INT8, ["dims", "parts"]),
         helper.make_tensor_value_info(query_scales, TensorProto.FLOAT, ["parts", "vectors"]),
         helper.make_tensor_value_info(row_scales, TensorProto.FLOAT, ["rows", 1])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["rows", "vectors"])],
        initializer=[numpy_helper.from_array(np.array(ZERO_POINT, np.uint8), "zero_point")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="samplematch")
    model.ir_version = 8  # what every onnxruntime >= 1.17 reads
    return model.SerializeToString()


def main() -> None:
    GRAPH_FILE.write_bytes(scoring_graph_bytes())
    print(f"wrote {GRAPH_FILE}")


if __name__ == "__main__":
    main()
