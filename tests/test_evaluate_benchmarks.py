"""External benchmark adapters on small local files and a loopback stand-in for AgentBench's task controller."""
import json
import pytest
from agentic_lab.evaluate.runner import run_evaluation
from agentic_lab.evaluate.models import FunctionModel

def test_agentbench_loopback_controller(httpserver, tmp_path):
    sessions = {}
    def start(request):
        body = request.get_json(); sid = len(sessions); sessions[sid] = body["index"]
        from werkzeug.wrappers import Response
        return Response(json.dumps({"session_id": sid, "output": {"status": "running", "history": [{"role": "user", "content": f"How many files in /tmp/{body['index']}? Answer with act: answer(N)."}]}}), content_type="application/json")
    def interact(request):
        body = request.get_json(); idx = sessions[body["session_id"]]
        ok = body["agent_response"]["content"].strip() == "act: answer(3)"
        from werkzeug.wrappers import Response
        return Response(json.dumps({"session_id": body["session_id"], "output": {"status": "completed", "result": {"result": ok}, "history": []}}), content_type="application/json")
    httpserver.expect_request("/api/get_indices", query_string="name=os-std").respond_with_json([0, 1])
    httpserver.expect_request("/api/start_sample", method="POST").respond_with_handler(start)
    httpserver.expect_request("/api/interact", method="POST").respond_with_handler(interact)
    model = FunctionModel(lambda msgs, tools: "act: answer(3)" if "/tmp/0" in msgs[0].content else "act: answer(9)", "scripted")
    s = run_evaluation(model, "agentbench=" + httpserver.url_for("/api") + "#os-std", tmp_path, progress=False)
    items = [json.loads(l) for l in (tmp_path / "items.jsonl").read_text().splitlines()]
    assert [(i["id"], i["passed"]) for i in items] == [("agentbench/os-std/0", True), ("agentbench/os-std/1", False)]
    assert s["by_suite"]["agentbench=" + httpserver.url_for("/api") + "#os-std"]["success_rate"] == 0.5

def test_agentbench_controller_error_on_one_item_is_a_row_not_an_abort(httpserver, tmp_path):
    # item 1: /start_sample answers 500; item 2: /interact answers 503; items 0 and 3 run normally
    from werkzeug.wrappers import Response
    sessions = {}
    def start(request):
        idx = request.get_json()["index"]
        if idx == 1: return Response("worker crashed", status=500)
        sid = len(sessions); sessions[sid] = idx
        return Response(json.dumps({"session_id": sid, "output": {"status": "running", "history": [{"role": "user", "content": f"task {idx}: say ok"}]}}), content_type="application/json")
    def interact(request):
        body = request.get_json()
        if sessions[body["session_id"]] == 2: return Response("busy", status=503)
        return Response(json.dumps({"output": {"status": "completed", "result": True, "history": []}}), content_type="application/json")
    httpserver.expect_request("/api/get_indices").respond_with_json([0, 1, 2, 3])
    httpserver.expect_request("/api/start_sample", method="POST").respond_with_handler(start)
    httpserver.expect_request("/api/interact", method="POST").respond_with_handler(interact)
    httpserver.expect_request("/api/cancel", method="POST").respond_with_json({})
    suite = "agentbench=" + httpserver.url_for("/api") + "#os-std"
    s = run_evaluation(FunctionModel(lambda m, t: "ok", "scripted"), suite, tmp_path, progress=False)
    items = [json.loads(l) for l in (tmp_path / "items.jsonl").read_text().splitlines()]
    assert [(i["id"][-1], i["passed"], i["error_type"]) for i in items] == [
        ("0", True, ""), ("1", False, "agentbench:controller_error"), ("2", False, "agentbench:controller_error"), ("3", True, "")]
    assert "/start_sample returned HTTP 500" in items[1]["reason"] and "/interact returned HTTP 503" in items[2]["reason"]
    assert items[0]["prompt"] == "task 0: say ok" and items[2]["prompt"] == "task 2: say ok" and all("prompt" in i for i in items)
    assert s["by_suite"][suite]["success_rate"] == 0.5

def test_rows_scored_before_a_fatal_error_are_kept(httpserver, tmp_path):
    # the second suite's controller is unreachable: the run stops with that reason, the first suite's rows are on disk
    from agentic_lab.evaluate.parse import EvaluateError
    httpserver.expect_request("/api/get_indices").respond_with_json([0])
    httpserver.expect_request("/api/start_sample", method="POST").respond_with_json({"session_id": 0, "output": {"status": "completed", "result": True, "history": []}})
    with pytest.raises(EvaluateError, match="unreachable"):
        run_evaluation(FunctionModel(lambda m, t: "ok"), ["agentbench=" + httpserver.url_for("/api") + "#os-std", "agentbench=http://127.0.0.1:9/api#os-std"],
                       tmp_path, progress=False)
    items = [json.loads(l) for l in (tmp_path / "items.jsonl").read_text().splitlines()]
    assert [(i["id"], i["passed"]) for i in items] == [("agentbench/os-std/0", True)]

def test_agentbench_unreachable_names_what_it_needs(tmp_path):
    from agentic_lab.evaluate.parse import EvaluateError
    with pytest.raises(EvaluateError, match="unreachable.*AgentBench controller"):
        run_evaluation(FunctionModel(lambda m, t: "x"), "agentbench=http://127.0.0.1:9/api#os-std", tmp_path, progress=False)

def test_toolbench_files_and_cache(tmp_path):
    api = {"tool_name": "Jokes", "api_name": "random joke", "api_description": "a joke", "required_parameters": [], "optional_parameters": []}
    (tmp_path / "G2_instruction.json").write_text(json.dumps([{"query": "Tell me a joke", "query_id": 1, "api_list": [api], "relevant APIs": [["Jokes", "random joke"]]}]))
    (tmp_path / "tool_response_cache.jsonl").write_text(json.dumps({"name": "random_joke_for_jokes", "arguments": {}, "response": "Why did the chicken..."}) + "\n")
    def agent(msgs, tools):
        if msgs[-1].role == "user": return '<tool_call>{"name": "random_joke_for_jokes", "arguments": {}}</tool_call>'
        return '<tool_call>{"name": "Finish", "arguments": {"return_type": "give_answer", "final_answer": "%s"}}</tool_call>' % msgs[-1].content
    s = run_evaluation(FunctionModel(agent, "joker"), f"toolbench={tmp_path}", tmp_path / "out", progress=False)
    assert s["overall"]["accuracy"] == 1.0
    assert "not ToolEval" in s["by_suite"][f"toolbench={tmp_path}"]["metric"]

def test_webarena_says_what_it_needs(tmp_path):
    from agentic_lab.evaluate.parse import EvaluateError
    with pytest.raises(EvaluateError, match="SHOPPING.*Playwright"):
        run_evaluation(FunctionModel(lambda m, t: "x"), "webarena", tmp_path, progress=False)
