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
