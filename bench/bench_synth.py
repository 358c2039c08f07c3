"""Synthetic generation throughput: verified oracle trajectories per second (1 and 2 processes, in memory and through the
store), and the model policies' agent-loop steps per second (a tiny local HF model; an OpenAI-compatible loopback stand-in).

Usage: python -m bench.bench_synth [--quick] [--n N] [--hf-steps K]
Baseline: the single-process in-memory oracle pipeline (task generation + episode + verification) of the same run.
"""
import argparse, json, multiprocessing as mp, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _pipeline(args) -> int:
    "Generate, run and verify `n` oracle tasks over `worlds` in this process; how many passed."
    worlds, n, seed = args
    from agentic_lab.synth.generate import plan_tasks
    from agentic_lab.synth.policies import OraclePolicy, run_episode
    from agentic_lab.synth.verify import verify
    from agentic_lab.synth.worlds import get_world
    live, ok = {}, 0
    for t in plan_tasks(worlds, n, seed):
        w = live.get(t.world) or live.setdefault(t.world, get_world(t.world, t.world_seed))
        ok += verify(run_episode(OraclePolicy(t), w, t), t).passed
    return ok


def oracle_rates(n: int) -> list[tuple]:
    from agentic_lab.synth.worlds import world_names
    from agentic_lab.synth.generate import run_generate
    _pipeline(("math", 20, 99))  # warm imports and caches
    rows = []
    t0 = time.perf_counter(); ok = _pipeline(("all", n, 0)); dt = time.perf_counter() - t0
    base = ok / dt; rows.append(("oracle, 1 process, in memory", ok, dt, base, 1.0))
    names = world_names("all"); halves = [",".join(names[0::2]), ",".join(names[1::2])]
    with mp.get_context("fork").Pool(2) as pool:
        pool.map(_pipeline, [("math", 5, 98)] * 2)
        t0 = time.perf_counter(); ok = sum(pool.map(_pipeline, [(halves[0], n * 4 // 7, 0), (halves[1], n * 3 // 7, 0)])); dt = time.perf_counter() - t0
    rows.append(("oracle, 2 processes, in memory", ok, dt, ok / dt, ok / dt / base))
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter(); m = run_generate("all", n, seed=0, out_dir=d, progress=False); dt = time.perf_counter() - t0
    rows.append(("oracle, run_generate -> store (1 proc)", m["counts"]["kept"], dt, m["counts"]["kept"] / dt, m["counts"]["kept"] / dt / base))
    return rows


def _tiny_model(path: Path, texts: list[str]) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    from agentic_lab.synth.policies import HERMES_CHAT_TEMPLATE
    specials = ["<pad>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>"]
    tok = Tokenizer(models.BPE()); tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False); tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<pad>", additional_special_tokens=specials[1:])
    fast.chat_template = HERMES_CHAT_TEMPLATE
    cfg = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=2048, pad_token_id=fast.pad_token_id, eos_token_id=fast.eos_token_id)
    LlamaForCausalLM(cfg).save_pretrained(path); fast.save_pretrained(path)
    return path


def model_rates(steps: int, base: float) -> list[tuple]:
    from agentic_lab.synth.tasks import generate_tasks
    from agentic_lab.synth.policies import HFPolicy, OpenAIPolicy, OraclePolicy, run_episode
    from agentic_lab.synth.worlds import get_world
    tasks = generate_tasks("retail", 40, seed=0)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        texts = [u for t in tasks for u in t.user_turns] + [o for t in tasks for tr in t.observations for s in tr for o in s]
        pol = HFPolicy(str(_tiny_model(Path(d), texts * 3)), max_new_tokens=16)
        done, t0, i = 0, time.perf_counter(), 0
        while done < steps:
            t = tasks[i % len(tasks)]; i += 1
            done += run_episode(pol, get_world("retail"), t, max_steps=3).meta["steps"]
        dt = time.perf_counter() - t0
        rows.append(("hf tiny model (16 new tokens/step): steps", done, dt, done / dt, None))
    # loopback OpenAI-compatible server replaying oracle messages
    replies = []
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a): pass
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            m = replies.pop(0)
            calls = [{"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}} for c in m.tool_calls]
            data = json.dumps({"choices": [{"message": {"role": "assistant", "content": m.content, **({"tool_calls": calls} if calls else {})}}]}).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H); threading.Thread(target=srv.serve_forever, daemon=True).start()
    pol = OpenAIPolicy(f"http://127.0.0.1:{srv.server_address[1]}/v1", "stand-in")
    done, t0 = 0, time.perf_counter()
    for t in tasks:
        replies += [m for m in run_episode(OraclePolicy(t), get_world("retail"), t).messages if m.role == "assistant"]
    t0 = time.perf_counter()
    for t in tasks: done += run_episode(pol, get_world("retail"), t).meta["steps"]
    dt = time.perf_counter() - t0; srv.shutdown()
    rows.append(("openai loopback stand-in: steps", done, dt, done / dt, None))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench_synth")
    p.add_argument("--quick", action="store_true"); p.add_argument("--n", type=int); p.add_argument("--hf-steps", type=int)
    a = p.parse_args(argv)
    n = a.n or (300 if a.quick else 5000); steps = a.hf_steps or (20 if a.quick else 100)
    rows = oracle_rates(n)
    rows += model_rates(steps, rows[0][3])
    print(f"{'what':48} {'items':>7} {'seconds':>8} {'per s':>9} {'x base':>7}")
    for name, k, dt, rate, ratio in rows:
        print(f"{name:48} {k:>7} {dt:>8.2f} {rate:>9.1f} {('%.2f' % ratio) if ratio else '':>7}")
    print("target: >= 500 verified oracle trajectories/s on 2 cores (issue 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
