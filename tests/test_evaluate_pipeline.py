"""The evaluate pipeline notebook runs under papermill on a tiny local model and writes items.jsonl and summary.json."""
import json
from pathlib import Path
import papermill as pm
import pytest
from agentic_lab.core import Message, ToolCall, Trajectory

ROOT = Path(__file__).parents[1]

@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    "An untrained tiny Llama with the workbench tokenizer and chat template, saved locally."
    from transformers import LlamaConfig, LlamaForCausalLM
    from agentic_lab.process.tokenize import train_tokenizer
    trajs = [Trajectory("t", str(i), [Message("user", f"what is {i} plus {i}?"), Message("assistant", "", [ToolCall("calculate", {"expression": f"{i}+{i}"}, id="c")]),
                                      Message("tool", str(2 * i), tool_call_id="c"), Message("assistant", f"It is {2 * i}.")]) for i in range(30)]
    d = tmp_path_factory.mktemp("tiny")
    tok = train_tokenizer(trajs, vocab_size=400, out_dir=d)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=4096, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
    LlamaForCausalLM(cfg).save_pretrained(d); tok.save_pretrained(d)
    return d

def test_evaluate_pipeline_notebook(tiny_model, tmp_path):
    out = tmp_path / "evaluate.ipynb"
    pm.execute_notebook(str(ROOT / "nbs/pipelines/evaluate.ipynb"), str(out), cwd=str(ROOT), progress_bar=False,
                        parameters={"run_id": "t", "data_dir": str(tmp_path), "model": str(tiny_model), "suites": "bfcl,worlds,safety",
                                    "categories": "simple_python,irrelevance,math,harmful,benign", "limit": 1, "max_steps": 2, "max_new_tokens": 8})
    ev = tmp_path / "eval" / "t"
    items = [json.loads(l) for l in (ev / "items.jsonl").read_text().splitlines()]
    assert {i["suite"] for i in items} == {"bfcl", "worlds", "safety"}
    assert json.loads((ev / "summary.json").read_text())["overall"]["items"] == len(items)
    nb = json.loads(out.read_text())
    assert any("plotly" in json.dumps(c.get("outputs", [])) for c in nb["cells"])
