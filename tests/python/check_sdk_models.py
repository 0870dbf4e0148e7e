"""Drives a running emulator with the official tencentcloud-sdk-python client and checks
that every reply parses into the SDK's own response models, without unknown fields, and
carries a RequestId. Run by tests/emulator_sdk_models.rs; usage: check_sdk_models.py BASE_URL
(the emulator must be seeded with examples/emulator/world.json and a short task duration)."""

import sys
import time
import uuid
import warnings

from tencentcloud.clb.v20180317 import clb_client, models
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

SECRET_ID = "AKIDEXAMPLE"
SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"

checks = 0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def client(base_url, key=SECRET_KEY):
    endpoint = base_url.split("://", 1)[1].rstrip("/")
    http = HttpProfile(protocol="http", endpoint=endpoint, reqTimeout=30)
    profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)
    return clb_client.ClbClient(credential.Credential(SECRET_ID, key), "ap-guangzhou", profile)


def request(cls, params):
    req = cls()
    req.from_json_string(__import__("json").dumps(params))
    return req


def call(c, action, params):
    """Calls through the SDK (which parses into the response model) and checks the result."""
    global checks
    req_cls = getattr(models, action + "Request")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resp = getattr(c, action)(request(req_cls, params))
    useless = [str(w.message) for w in caught if "useless" in str(w.message)]
    if useless:
        fail("%s: fields unknown to the SDK model: %s" % (action, useless))
    if not isinstance(resp, getattr(models, action + "Response")):
        fail("%s: not parsed into the response model" % action)
    try:
        uuid.UUID(resp.RequestId)
    except (TypeError, ValueError):
        fail("%s: RequestId %r is not a UUID" % (action, resp.RequestId))
    checks += 1
    return resp


def expect_error(c, action, params, code):
    global checks
    try:
        call(c, action, params)
    except TencentCloudSDKException as e:
        if e.get_code() != code:
            fail("%s: expected %s, got %s (%s)" % (action, code, e.get_code(), e.get_message()))
        try:
            uuid.UUID(e.get_request_id())
        except (TypeError, ValueError):
            fail("%s: error without a UUID RequestId" % action)
        checks += 1
        return
    fail("%s: expected error %s, got success" % (action, code))


def wait_task(c, task_id):
    for _ in range(600):
        st = call(c, "DescribeTaskStatus", {"TaskId": task_id})
        if st.Status != 2:
            return st
        time.sleep(0.05)
    fail("task %s never finished" % task_id)


def main():
    base_url = sys.argv[1]
    c = client(base_url)
    l7 = {"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001",
          "LocationId": "loc-web00001", "TargetGroupId": "lbtg-web00001", "Weight": 20}
    l4 = {"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-old00001"}

    r = call(c, "AssociateTargetGroups", {"Associations": [l7]})
    st = wait_task(c, r.RequestId)
    if st.Status != 0 or st.LoadBalancerIds != ["lb-demo0001"]:
        fail("associate task: status %s, lbs %s" % (st.Status, st.LoadBalancerIds))
    r = call(c, "AssociateTargetGroups", {"Associations": [l4]})
    wait_task(c, r.RequestId)

    tgs = call(c, "DescribeTargetGroups", {"TargetGroupIds": ["lbtg-web00001", "lbtg-old00001"]})
    if tgs.TotalCount != 2:
        fail("DescribeTargetGroups TotalCount %s" % tgs.TotalCount)
    by_id = {tg.TargetGroupId: tg for tg in tgs.TargetGroupSet}
    rule = by_id["lbtg-web00001"].AssociatedRule[0]
    if (rule.LocationId, rule.Domain, rule.Url, rule.Weight) != ("loc-web00001", "www.example.com", "/", 20):
        fail("layer-7 AssociationItem: %s" % rule._serialize())
    item = by_id["lbtg-old00001"].AssociatedRule[0]
    if (item.LocationId, item.Domain, item.Url, item.Port) != (None, None, None, 80):
        fail("layer-4 AssociationItem: %s" % item._serialize())

    lst = call(c, "DescribeTargetGroupList", {"Limit": 2, "Offset": 0})
    if lst.TotalCount != 4 or len(lst.TargetGroupSet) != 2 or lst.TargetGroupSet[0].AssociatedRule is not None:
        fail("DescribeTargetGroupList: %s" % lst.to_json_string())

    ls = call(c, "DescribeListeners", {"LoadBalancerId": "lb-demo0001",
                                       "ListenerIds": ["lbl-tcp00001", "lbl-http0001"]})
    tcp, http = ls.Listeners
    if tcp.TargetType != "TARGETGROUP" or tcp.TargetGroup.TargetGroupId != "lbtg-old00001" or tcp.Rules is not None:
        fail("layer-4 Listener: %s" % tcp._serialize())
    web = [r for r in http.Rules if r.LocationId == "loc-web00001"][0]
    if web.TargetGroupList[0].TargetGroupId != "lbtg-web00001" or web.TargetGroupList[0].Weight != 20:
        fail("layer-7 RuleOutput: %s" % web._serialize())

    lbs = call(c, "DescribeLoadBalancers", {"LoadBalancerIds": ["lb-demo0001"]})
    lb = lbs.LoadBalancerSet[0]
    if lb.VpcId != "vpc-demo0001" or lb.TargetRegionInfo.VpcId != "vpc-demo0001":
        fail("LoadBalancer: %s" % lb._serialize())

    r = call(c, "DisassociateTargetGroups", {"Associations": [l7, l4]})
    st = wait_task(c, r.RequestId)
    if st.Status != 0:
        fail("disassociate task status %s" % st.Status)

    expect_error(c, "AssociateTargetGroups", {"Associations": [dict(l7, LocationId=None)]}, "InvalidParameter")
    expect_error(c, "DescribeTaskStatus", {"TaskId": "no-such-task"}, "InvalidParameter")
    expect_error(client(base_url, key="wrong"), "DescribeLoadBalancers", {}, "AuthFailure.SignatureFailure")
    print("OK %d checks" % checks)


if __name__ == "__main__":
    main()
