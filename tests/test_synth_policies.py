"""Model policies in the real agent loop: a tiny local Hugging Face model (saved with save_pretrained) and a loopback
OpenAI-compatible stand-in server that replies with scripted tool calls and with errors."""
import json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import pytest
from agentic_lab.core import Message
from agentic_lab.synth.worlds import get_world
from agentic_lab.synth.tasks import generate_tasks
from agentic_lab.synth.policies import HERMES_CHAT_TEMPLATE, HFPolicy, OpenAIPolicy, OraclePolicy, PolicyError, run_episode, to_chat
from agentic_lab.synth.verify import verify
from agentic_lab.synth.generate import run_generate

HERMES_TEMPLATE = HERMES_CHAT_TEMPLATE

def build_tiny_model(path, texts, chat_template=HERMES_TEMPLATE):
    "A random 1-layer Llama and a small byte-level BPE tokenizer with a Hermes-style chat template, saved to `path`."
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    specials = ["<pad>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>"]
    tok = Tokenizer(models.BPE()); tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False); tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<pad>", additional_special_tokens=specials[1:])
    if chat_template: fast.chat_template = chat_template
    cfg = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=2048, pad_token_id=fast.pad_token_id, eos_token_id=fast.eos_token_id, bos_token_id=fast.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(path); fast.save_pretrained(path)
    return path

@pytest.fixture(scope="module")
def tasks():
    return generate_tasks("math", 6, seed=0) + generate_tasks("retail", 6, seed=0)

@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, tasks):
    texts = [u for t in tasks for u in t.user_turns] + [o for t in tasks for turn in t.observations for s in turn for o in s] + [t.answer for t in tasks]
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), texts * 3)

def test_hf_policy_renders_tools_with_the_chat_template(tiny_model, tasks):
    pol = HFPolicy(str(tiny_model), max_new_tokens=8)
    t, w = tasks[0], get_world("math")
    msgs = [Message("system", "sys"), Message("user", t.user_turns[0])]
    prompt = pol.tok.apply_chat_template(to_chat(msgs), tools=[{"type": "function", "function": s.to_dict()} for s in w.tools], add_generation_prompt=True, tokenize=False)
    assert "<tools>" in prompt and '"calculate"' in prompt and prompt.endswith("<|im_start|>assistant\n")
    assert isinstance(pol.generate(msgs, w.tools), str)

def test_hf_policy_runs_the_real_loop_and_never_crashes(tiny_model, tasks):
    pol = HFPolicy(str(tiny_model), max_new_tokens=12)
    for t in tasks:
        w = get_world(t.world)
        tr = run_episode(pol, w, t, max_steps=3)
        assert tr.messages[0].role == "system" and tr.messages[1].content == t.user_turns[0]
        assert tr.meta["steps"] >= 1 and tr.meta["policy"].startswith("hf:")
        v = verify(tr, t)
        assert isinstance(v.passed, bool) and (v.passed or v.reason)  # garbage is rejected with a reason
        if tr.meta["stop_reason"]: assert tr.meta["stop_reason"].split(":")[0] in ("policy_error", "step_budget", "policy_exception")

def test_hf_policy_bad_model_inputs(tmp_path, tasks):
    with pytest.raises(PolicyError, match="cannot load model"): HFPolicy(str(tmp_path / "missing"))
    d = build_tiny_model(tmp_path / "nochat", ["hello world"] * 5, chat_template=None)
    with pytest.raises(PolicyError, match="no chat template"): HFPolicy(str(d))
    assert HFPolicy(str(d), chat_template=HERMES_CHAT_TEMPLATE, max_new_tokens=2).generate([Message("user", "hi")], []) is not None

def test_hf_policy_from_loaded_objects_and_generate_run(tiny_model, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    pol = HFPolicy(AutoModelForCausalLM.from_pretrained(tiny_model), AutoTokenizer.from_pretrained(tiny_model), max_new_tokens=6)
    m = run_generate("math", 4, seed=1, out_dir=tmp_path / "out", policy="hf", policy_obj=pol, max_steps=2, progress=False)
    assert m["counts"]["in"] == 4 and m["counts"]["in"] == m["counts"]["kept"] + m["counts"]["quarantined"] + sum(m["counts"]["dropped"].values())
    q = [json.loads(l) for l in (tmp_path / "out" / "quarantine.jsonl").read_text().splitlines()] if m["counts"]["quarantined"] else []
    assert all(r["reason"].split(":")[0] in ("format", "execution", "semantic") for r in q)
    m2 = run_generate("math", 2, seed=1, out_dir=tmp_path / "out2", policy="hf", model=str(tiny_model), max_steps=1, max_new_tokens=4, progress=False)
    assert m2["counts"]["in"] == 2

# --- the loopback OpenAI-compatible stand-in --------------------------------------------------------------------------

class StandIn:
    "A chat-completions server on 127.0.0.1 that answers from a script of (status, body) replies."
    def __init__(self):
        self.script, self.requests = [], []
        outer = self
        class H(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, reply = outer.script.pop(0) if outer.script else (500, "script exhausted")
                data = (reply if isinstance(reply, str) else json.dumps(reply)).encode()
                self.send_response(status); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(data)))
                self.end_headers(); self.wfile.write(data)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
    def completion(self, msg: Message) -> tuple:
        calls = [{"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}} for c in msg.tool_calls]
        return 200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": msg.content or None, **({"tool_calls": calls} if calls else {})}}]}

@pytest.fixture
def standin():
    s = StandIn(); yield s; s.server.shutdown()

def _script_from_oracle(standin, task):
    tr = run_episode(OraclePolicy(task), get_world(task.world), task)
    standin.script += [standin.completion(m) for m in tr.messages if m.role == "assistant"]
    return tr

def test_openai_policy_scripted_calls_pass_verification(standin, tasks, monkeypatch):
    monkeypatch.setenv("STANDIN_KEY", "sk-test")
    t = next(t for t in tasks if t.kind == "multi_step")
    ref = _script_from_oracle(standin, t)
    tr = run_episode(OpenAIPolicy(standin.url, "stand-in", api_key_env="STANDIN_KEY"), get_world(t.world), t)
    assert tr.meta["stop_reason"] is None and verify(tr, t).passed
    assert [m.content for m in tr.messages if m.role == "tool"] == [m.content for m in ref.messages if m.role == "tool"]
    first, last = standin.requests[0], standin.requests[-1]
    assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer sk-test"
    assert {x["function"]["name"] for x in first["body"]["tools"]} == {s.name for s in get_world(t.world).tools}
    assert any(m["role"] == "tool" for m in last["body"]["messages"])  # observations were fed back
    assert all(isinstance(c["function"]["arguments"], str) for m in last["body"]["messages"] for c in m.get("tool_calls", []))

def test_openai_policy_hermes_text_content_is_parsed(standin, tasks):
    t = next(t for t in tasks if t.kind == "single")
    c = t.calls[0]
    standin.script += [(200, {"choices": [{"message": {"role": "assistant", "content": f'<tool_call>{json.dumps({"name": c.name, "arguments": c.arguments})}</tool_call>'}}]}),
                       (200, {"choices": [{"message": {"role": "assistant", "content": t.answer}}]})]
    tr = run_episode(OpenAIPolicy(standin.url, "m"), get_world(t.world), t)
    assert [x.name for x in tr.tool_calls] == [c.name] and verify(tr, t).passed

@pytest.mark.parametrize("script,needle", [
    ([(500, "boom")] * 3, "HTTP 500"),
    ([(401, '{"error": "bad key"}')], "HTTP 401"),
    ([(200, "not json at all")], "no chat completion"),
    ([(200, {"choices": []})], "no chat completion"),
    ([(200, {"choices": [{"message": {"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "calculate", "arguments": "{broken"}}]}}]})], "not valid JSON"),
    ([(200, {"choices": [{"message": {"role": "assistant", "content": "<tool_call>{nope}</tool_call>"}}]})], "not valid JSON"),
])
def test_openai_policy_errors_end_the_episode_with_a_reason(standin, tasks, script, needle):
    standin.script += script
    t = tasks[0]
    tr = run_episode(OpenAIPolicy(standin.url, "m", backoff=0.01), get_world(t.world), t)
    assert tr.meta["stop_reason"].startswith("policy_error") and needle in tr.meta["stop_reason"], tr.meta["stop_reason"]
    v = verify(tr, t); assert not v.passed and v.stage == "format" and needle in v.reason

def test_openai_policy_retries_rate_limits(standin, tasks):
    t = next(t for t in tasks if t.kind == "single")
    standin.script += [(429, "slow down"), (503, "busy")]
    _script_from_oracle(standin, t)
    tr = run_episode(OpenAIPolicy(standin.url, "m", retries=2, backoff=0.01), get_world(t.world), t)
    assert tr.meta["stop_reason"] is None and verify(tr, t).passed

def test_unreachable_endpoint_and_generation_run_survive(tmp_path, standin):
    pol = OpenAIPolicy("http://127.0.0.1:9/v1", "m", retries=0, timeout=2)
    with pytest.raises(PolicyError, match="unreachable"): pol.act([Message("user", "hi")], [])
    standin.script += [(500, "down")] * 50
    m = run_generate("math,units", 4, seed=0, out_dir=tmp_path / "o", policy="openai", base_url=standin.url, api_model="m", progress=False)
    assert m["counts"]["kept"] == 0 and m["counts"]["quarantined"] == 4 and m["generation"]["rejected"] == {"format": 4}
    q = [json.loads(l) for l in (tmp_path / "o" / "quarantine.jsonl").read_text().splitlines()]
    assert all(r["reason"].startswith("format: episode ended early: policy_error") for r in q)
