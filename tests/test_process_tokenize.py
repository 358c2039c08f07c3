"Property tests: segment labels are exact and no ACT is ever truncated, for the embedded tokenizer and a standard HF tokenizer."
import json, re
import pytest
from hypothesis import given, settings, HealthCheck, strategies as st
from agentic_lab.core import Trajectory, Message, ToolCall, ToolSpec, SegmentKind, SEGMENT_IDS, SUPERVISED_KINDS
from agentic_lab.process.tokenize import train_tokenizer, encode, default_segments, MARKUP_TOKENS, EOS

ALPHABET = st.characters(codec="utf-8", categories=("Lu", "Ll", "Nd", "Zs", "Po", "Pd", "Sm"), exclude_characters="<>|")
text = st.text(ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
names = st.sampled_from(["get_weather", "search", "add", "book_table", "convert"])
args = st.dictionaries(st.sampled_from(["city", "q", "a", "b", "n"]), st.one_of(st.integers(-999, 99999), text), max_size=3)

@st.composite
def trajectories(draw):
    msgs = [Message("user", draw(text))]
    if draw(st.booleans()): msgs.insert(0, Message("system", draw(text)))
    for r in range(draw(st.integers(0, 3))):
        calls = [ToolCall(draw(names), draw(args), f"c{r}_{k}") for k in range(draw(st.integers(1, 2)))]
        content = draw(st.one_of(st.just(""), text, text.map(lambda s: f"<think>{s}</think>")))
        msgs.append(Message("assistant", content, calls))
        msgs += [Message("tool", draw(text), tool_call_id=c.id, name=c.name) for c in calls]
    msgs.append(Message("assistant", draw(st.one_of(text, st.tuples(text, text).map(lambda p: f"<think>{p[0]}</think>{p[1]}")))))
    tools = [ToolSpec(n, "a tool", {"type": "object", "properties": {}}) for n in ["get_weather", "search", "add", "book_table", "convert"]]
    return Trajectory("prop", str(draw(st.integers(0, 10**9))), msgs, tools=tools)

def _corpus():
    import random
    rng = random.Random(0)
    words = "the weather in Oslo is sunny book a table for two search add convert numbers city".split()
    out = []
    for i in range(40):
        t = " ".join(rng.choice(words) for _ in range(12))
        out.append(Trajectory("c", str(i), [Message("user", t), Message("assistant", t, [ToolCall("search", {"q": t, "n": i})]), Message("tool", t), Message("assistant", t)]))
    return out

QWEN_LIKE = (
    "{%- if tools %}<|im_start|>system\n{% if messages[0].role == 'system' %}{{ messages[0].content }}\n\n{% endif %}"
    "# Tools\n\n<tools>{% for tool in tools %}\n{{ tool | tojson }}{% endfor %}\n</tools><|im_end|>\n"
    "{%- elif messages[0].role == 'system' %}<|im_start|>system\n{{ messages[0].content }}<|im_end|>\n{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message.role == 'user' or (message.role == 'system' and not loop.first) %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n"
    "{%- elif message.role == 'assistant' %}<|im_start|>assistant{% if message.content %}\n{{ message.content }}{% endif %}"
    "{%- for tc in message.tool_calls or [] %}\n<tool_call>\n{\"name\": \"{{ tc.function.name }}\", \"arguments\": {{ tc.function.arguments | tojson }}}\n</tool_call>{%- endfor %}<|im_end|>\n"
    "{%- elif message.role == 'tool' %}<|im_start|>user\n<tool_response>\n{{ message.content }}\n</tool_response><|im_end|>\n"
    "{%- endif %}{%- endfor %}{%- if add_generation_prompt %}<|im_start|>assistant\n{%- endif %}")

@pytest.fixture(scope="module")
def tokenizers_():
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
    from transformers import PreTrainedTokenizerFast
    wb = train_tokenizer(_corpus(), vocab_size=500)
    t = Tokenizer(models.BPE()); t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False); t.decoder = decoders.ByteLevel()
    t.train_from_iterator([m.text for x in _corpus() for m in x.messages], trainers.BpeTrainer(vocab_size=400, special_tokens=["<|im_start|>", "<|im_end|>", "<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    hf = PreTrainedTokenizerFast(tokenizer_object=t, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    hf.chat_template = QWEN_LIKE
    return {"workbench": wb, "hf": hf}

def _runs(row):
    "Maximal runs of tokens sharing a non-zero segment id: (segment id, token ids)."
    out, cur, sid = [], [], 0
    for i, s in zip(row["input_ids"], row["segment_ids"]):
        if s != sid and cur: out.append((sid, cur)); cur = []
        sid = s
        if s: cur.append(i)
    if cur: out.append((sid, cur))
    return out

def _check(traj, tok, max_length):
    rows = encode(traj, tok, max_length=max_length)
    segs = traj.segments or default_segments(traj)
    by_kind = {}
    for s in segs: by_kind.setdefault(SEGMENT_IDS[s.kind], []).append(s.text)
    calls = [{"name": c.name, "arguments": c.arguments} for c in traj.tool_calls]
    markup = re.compile("|".join(map(re.escape, MARKUP_TOKENS + [EOS, "<|im_end|>", "<tool_response>", "</tool_response>"])))
    for row in rows:
        assert len(row["input_ids"]) <= max_length
        assert len({len(row[k]) for k in row}) == 1
        for sid, ids in _runs(row):
            dec = tok.decode(ids)
            assert any(dec in t for t in by_kind.get(sid, [])), (sid, dec, by_kind.get(sid))
            if sid == SEGMENT_IDS[SegmentKind.ACT]:  # a whole call, never a piece of one
                assert json.loads(dec) in calls, dec
        marks = [[]]  # runs of supervised template tokens (segment 0): only markup and whitespace
        for i, l, s in zip(row["input_ids"], row["labels"], row["segment_ids"]):
            if l == -100 or s != 0:
                if marks[-1]: marks.append([])
            if l == -100: continue
            assert l == i
            if s == 0: marks[-1].append(i)
            else: assert s in {SEGMENT_IDS[k] for k in SUPERVISED_KINDS}
        for run in marks:
            assert markup.sub("", tok.decode(run)).strip() == "", tok.decode(run)
        for i, l, s in zip(row["input_ids"], row["labels"], row["segment_ids"]):
            if s in (SEGMENT_IDS[SegmentKind.USER], SEGMENT_IDS[SegmentKind.OBS], SEGMENT_IDS[SegmentKind.SYSTEM]): assert l == -100
    return rows

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trajectories())
def test_labels_exact_workbench(tokenizers_, traj):
    rows = _check(traj, tokenizers_["workbench"], 4096)
    assert len(rows) == 1
    acts = [tokenizers_["workbench"].decode(ids) for sid, ids in _runs(rows[0]) if sid == SEGMENT_IDS[SegmentKind.ACT]]
    assert len(acts) == len(traj.tool_calls)  # every call is labelled

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trajectories())
def test_labels_exact_hf_template(tokenizers_, traj):
    rows = _check(traj, tokenizers_["hf"], 4096)
    acts = [1 for sid, ids in _runs(rows[0]) if sid == SEGMENT_IDS[SegmentKind.ACT]]
    assert len(acts) == len(traj.tool_calls)

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trajectories(), st.integers(120, 400))
def test_split_never_cuts_act(tokenizers_, traj, max_length):
    for name in ("workbench", "hf"): _check(traj, tokenizers_[name], max_length)

def test_hf_generation_prompt(tokenizers_):
    wb = tokenizers_["workbench"]
    p = wb.apply_chat_template([{"role": "user", "content": "hi"}], tools=[{"type": "function", "function": {"name": "f", "description": "", "parameters": {}}}], add_generation_prompt=True, tokenize=False)
    assert p.endswith("<|assistant|>") and "<tools>" in p

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trajectories(), min_size=1, max_size=4), st.integers(150, 2000))
def test_encode_batch_equals_encode(tokenizers_, trajs, max_length):
    from agentic_lab.process.tokenize import encode_batch
    for name in ("workbench", "hf"):
        tok = tokenizers_[name]
        assert encode_batch(trajs, tok, max_length) == [encode(t, tok, max_length) for t in trajs]
