"""Python smoke test for the cdk-integration-patterns wheel.

Builds a stack from the jsii-generated Python bindings, synthesizes it to a temporary
directory and checks the template with plain asserts. Run by scripts/python-smoke.sh
inside a fresh venv that holds only the built wheel and its PyPI dependencies.
"""
import json
import os
import sys
import tempfile
import traceback

import aws_cdk as cdk
from aws_cdk import aws_sns as sns  # noqa: F401  (proves the aws-cdk-lib submodules load)

import cdk_integration_patterns as cip

results = []  # (name, ok, detail)


def check(name, fn):
    """Run one check; record pass/fail with the assertion message."""
    try:
        detail = fn()
        results.append((name, True, detail or ""))
        print(f"  PASS  {name}" + (f" ({detail})" if detail else ""))
    except Exception as err:  # noqa: BLE001 - report every failure, keep going
        msg = str(err) or err.__class__.__name__
        results.append((name, False, msg))
        print(f"  FAIL  {name}: {msg}")
        if os.environ.get("SMOKE_VERBOSE"):
            traceback.print_exc()


def resources_of(template, rtype):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == rtype}


def synth_template():
    outdir = tempfile.mkdtemp(prefix="python-smoke-cdk-out-")
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "PythonSmoke", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    queue = cip.SecureQueue(stack, "Jobs", fifo=True, max_receive_count=3)
    topic = cip.SecureTopic(stack, "Events")
    assert queue.fifo is True, f"SecureQueue.fifo should be True, got {queue.fifo!r}"
    assert queue.max_receive_count == 3, f"SecureQueue.max_receive_count should be 3, got {queue.max_receive_count!r}"
    assert topic.encryption_key is not None, "SecureTopic.encryption_key should be set for a new topic"
    assembly = app.synth()
    path = os.path.join(assembly.directory, stack.template_file)
    with open(path, encoding="utf-8") as f:
        return json.load(f), stack, queue, topic, path


def main():
    print("python smoke: synthesizing a stack with SecureQueue(fifo=True, max_receive_count=3) and SecureTopic()")
    template, stack, queue, topic, path = synth_template()
    print(f"python smoke: template {path}")
    queues = resources_of(template, "AWS::SQS::Queue")

    def two_queues():
        assert len(queues) == 2, f"expected 2 AWS::SQS::Queue (queue + DLQ), found {len(queues)}: {sorted(queues)}"
        return "queue + dead-letter queue"

    def both_fifo():
        not_fifo = [k for k, v in queues.items() if v["Properties"].get("FifoQueue") is not True]
        assert not not_fifo, f"queues without FifoQueue: true: {not_fifo}"
        names = [v["Properties"].get("QueueName") for v in queues.values()]
        assert all(isinstance(n, str) and n.endswith(".fifo") for n in names), f"FIFO queue names must end in .fifo: {names}"
        return ", ".join(names)

    def redrive():
        with_redrive = [v["Properties"]["RedrivePolicy"] for v in queues.values() if "RedrivePolicy" in v["Properties"]]
        assert len(with_redrive) == 1, f"expected exactly 1 queue with a RedrivePolicy, found {len(with_redrive)}"
        count = with_redrive[0].get("maxReceiveCount")
        assert count == 3, f"RedrivePolicy.maxReceiveCount should be 3, got {count!r}"
        return "maxReceiveCount=3"

    def queues_encrypted():
        plain = [k for k, v in queues.items()
                 if v["Properties"].get("SqsManagedSseEnabled") is not True and "KmsMasterKeyId" not in v["Properties"]]
        assert not plain, f"queues without SSE: {plain}"

    def topic_kms():
        topics = resources_of(template, "AWS::SNS::Topic")
        keys = resources_of(template, "AWS::KMS::Key")
        assert len(topics) == 1, f"expected 1 AWS::SNS::Topic, found {len(topics)}"
        assert len(keys) == 1, f"expected 1 AWS::KMS::Key (the topic's), found {len(keys)}"
        key_id = next(iter(keys))
        master = next(iter(topics.values()))["Properties"].get("KmsMasterKeyId")
        assert master == {"Fn::GetAtt": [key_id, "Arn"]}, f"topic KmsMasterKeyId should reference {key_id}, got {master!r}"
        rotation = keys[key_id]["Properties"].get("EnableKeyRotation")
        assert rotation is True, f"topic key rotation should be on, got {rotation!r}"
        return f"{key_id}, rotation on"

    def alarms():
        found = resources_of(template, "AWS::CloudWatch::Alarm")
        # SecureQueue: oldest-message age + DLQ not empty; SecureTopic: failed notifications.
        assert len(found) >= 3, f"expected at least 3 alarms (2 queue, 1 topic), found {len(found)}: {sorted(found)}"
        assert len(queue.alarms) == 2, f"SecureQueue.alarms should hold 2 alarms, got {len(queue.alarms)}"
        assert len(topic.alarms) == 1, f"SecureTopic.alarms should hold 1 alarm, got {len(topic.alarms)}"
        return f"{len(found)} AWS::CloudWatch::Alarm"

    def raises(prop, **kwargs):  # invalid input must fail at construction, naming the prop
        def run():
            try:
                # A fresh app: the synthesized one is locked against new children.
                cip.SecureQueue(cdk.Stack(cdk.App(), "Invalid"), "Bad", **kwargs)
            except Exception as err:  # jsii surfaces the TypeScript error as a Python exception
                assert prop in str(err), f"error should name {prop}: {err}"
                return f"{type(err).__name__}: {str(err).splitlines()[0][:90]}"
            raise AssertionError(f"SecureQueue(..., {kwargs}) did not raise")
        return run

    check("2 AWS::SQS::Queue resources", two_queues)
    check("both queues FIFO", both_fifo)
    check("redrive policy maxReceiveCount is 3", redrive)
    check("both queues encrypted at rest (SSE)", queues_encrypted)
    check("topic encrypted with its own KMS key", topic_kms)
    check("alarms present", alarms)
    check("max_receive_count=0 raises naming maxReceiveCount", raises("maxReceiveCount", max_receive_count=0))
    check("max_receive_count=1001 raises naming maxReceiveCount", raises("maxReceiveCount", max_receive_count=1001))
    check("fifo=False with queue_name 'x.fifo' raises naming queueName", raises("queueName", fifo=False, queue_name="x.fifo"))

    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"python smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # synthesis itself failed: nothing was checked
        traceback.print_exc()
        print("python smoke: 0 passed, 1 failed (synthesis failed)")
        sys.exit(1)
