"""Drives the emulator's STS with the official tencentcloud-sdk-python: every reply parses into
the SDK's STS response models without unknown fields; the SDK's own credential providers
(STSAssumeRoleCredential, OIDCRoleArnCredential) get sessions from it; CLB calls with those
sessions succeed, and a wrong token gets AuthFailure.TokenFailure. Run by
tests/emulator_sts.rs; usage: check_sts_models.py BASE_URL (world: examples/emulator/world.json)."""

import base64
import json
import sys
import urllib.request
import uuid
import warnings

from tencentcloud.clb.v20180317 import clb_client, models as clb_models
from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sts.v20180813 import models, sts_client

SECRET_ID = "AKIDEXAMPLE"
SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
DEPLOYER = "qcs::cam::uin/100000000001:roleName/terraform-deployer"
SAML_PROVIDER = "qcs::cam::uin/100000000001:saml-provider/corp-saml"

checks = 0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def profile(base_url):
    http = HttpProfile(protocol="http", endpoint=base_url.split("://", 1)[1].rstrip("/"), reqTimeout=30)
    return ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)


def call(c, action, params):
    """Calls through the SDK, which parses into the response model; checks fields and RequestId."""
    global checks
    req = getattr(models, action + "Request")()
    req.from_json_string(json.dumps(params))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resp = getattr(c, action)(req)
    useless = [str(w.message) for w in caught if "useless" in str(w.message)]
    if useless:
        fail("%s: fields unknown to the SDK model: %s" % (action, useless))
    if not isinstance(resp, getattr(models, action + "Response")):
        fail("%s: not parsed into the response model" % action)
    uuid.UUID(resp.RequestId)
    checks += 1
    return resp


def expect_error(code, fn):
    global checks
    try:
        fn()
    except TencentCloudSDKException as e:
        if e.code != code:
            fail("expected %s, got %s: %s" % (code, e.code, e.message))
        uuid.UUID(e.requestId)
        checks += 1
        return e
    fail("expected %s, the call succeeded" % code)


def check_session(resp, what):
    c = resp.Credentials
    if not (c and c.Token and c.TmpSecretId and c.TmpSecretKey):
        fail("%s: Credentials incomplete" % what)
    if not isinstance(resp.ExpiredTime, int) or not resp.Expiration.endswith("Z"):
        fail("%s: ExpiredTime %r / Expiration %r" % (what, resp.ExpiredTime, resp.Expiration))


def mint(base_url, seconds=600):
    req = urllib.request.Request(
        base_url + "/_emulator/oidc/token",
        data=json.dumps({"Subject": "repo:team/infra", "ExpiresInSeconds": seconds}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)["Token"]


def clb_with(base_url, cred):
    return clb_client.ClbClient(cred, "ap-guangzhou", profile(base_url))


def describe_lbs(c):
    req = clb_models.DescribeLoadBalancersRequest()
    req.from_json_string("{}")
    return c.DescribeLoadBalancers(req)


def main(base_url):
    signed = sts_client.StsClient(credential.Credential(SECRET_ID, SECRET_KEY), "ap-guangzhou", profile(base_url))
    me = call(signed, "GetCallerIdentity", {})
    if me.AccountId != "100000000001" or me.Type != "CAMUser":
        fail("GetCallerIdentity: %s" % me.to_json_string())

    role = call(signed, "AssumeRole", {"RoleArn": DEPLOYER, "RoleSessionName": "sdk-check", "DurationSeconds": 900})
    check_session(role, "AssumeRole")
    temp = credential.Credential(role.Credentials.TmpSecretId, role.Credentials.TmpSecretKey, role.Credentials.Token)
    as_role = call(sts_client.StsClient(temp, "ap-guangzhou", profile(base_url)), "GetCallerIdentity", {})
    if as_role.Type != "CAMRole" or ":assumed-role/" not in as_role.Arn or not as_role.UserId.endswith(":sdk-check"):
        fail("GetCallerIdentity as the role: %s" % as_role.to_json_string())
    describe_lbs(clb_with(base_url, temp))
    wrong = credential.Credential(role.Credentials.TmpSecretId, role.Credentials.TmpSecretKey, "not-the-token")
    expect_error("AuthFailure.TokenFailure", lambda: describe_lbs(clb_with(base_url, wrong)))

    expect_error("ResourceNotFound.RoleNotFound", lambda: call(signed, "AssumeRole", {
        "RoleArn": "qcs::cam::uin/100000000001:roleName/nobody", "RoleSessionName": "x1"}))
    e = expect_error("UnauthorizedOperation", lambda: call(signed, "AssumeRole", {
        "RoleArn": "qcs::cam::uin/200000000002:roleName/cross-account-deployer", "RoleSessionName": "x1"}))
    if "(sts:AssumeRole)" not in e.message:
        fail("denial message: %s" % e.message)
    cross = call(signed, "AssumeRole", {
        "RoleArn": "qcs::cam::uin/200000000002:roleName/cross-account-deployer", "RoleSessionName": "x1",
        "ExternalId": "ext-7f3a9c"})
    check_session(cross, "AssumeRole across accounts")
    expect_error("InvalidParameter.OverTimeError", lambda: call(signed, "AssumeRole", {
        "RoleArn": DEPLOYER, "RoleSessionName": "x1", "DurationSeconds": 50000}))

    # The federated actions are unsigned in the real service. The generated client signs them
    # anyway (as the official Terraform provider does), which the service ignores; the SDK's
    # CommonClient with SkipSign (below) and OIDCRoleArnCredential send Authorization: SKIP.
    anonymous = signed
    web = call(anonymous, "AssumeRoleWithWebIdentity", {
        "ProviderId": "OIDC", "WebIdentityToken": mint(base_url), "RoleArn": DEPLOYER,
        "RoleSessionName": "ci", "DurationSeconds": 900})
    check_session(web, "AssumeRoleWithWebIdentity")
    expect_error("InvalidParameter.WebIdentityTokenError", lambda: call(anonymous, "AssumeRoleWithWebIdentity", {
        "ProviderId": "OIDC", "WebIdentityToken": mint(base_url, -30), "RoleArn": DEPLOYER,
        "RoleSessionName": "ci"}))
    assertion = base64.b64encode(("<saml:Attribute>%s,%s</saml:Attribute>" % (DEPLOYER, SAML_PROVIDER)).encode()).decode()
    saml = call(anonymous, "AssumeRoleWithSAML", {
        "SAMLAssertion": assertion, "PrincipalArn": SAML_PROVIDER, "RoleArn": DEPLOYER,
        "RoleSessionName": "sso", "DurationSeconds": 900})
    check_session(saml, "AssumeRoleWithSAML")
    unsigned = CommonClient(credential=None, region="ap-guangzhou", version="2018-08-13",
                            service="sts", profile=profile(base_url))
    raw = unsigned.call_json("AssumeRoleWithSAML", {
        "SAMLAssertion": assertion, "PrincipalArn": SAML_PROVIDER, "RoleArn": DEPLOYER,
        "RoleSessionName": "sso"}, options={"SkipSign": True})
    if not raw["Response"]["Credentials"]["Token"]:
        fail("unsigned AssumeRoleWithSAML: %s" % raw)

    # The SDK's own providers, pointed at the emulator.
    endpoint = base_url.rstrip("/")
    sdk_role = credential.STSAssumeRoleCredential(SECRET_ID, SECRET_KEY, DEPLOYER, "sdk-provider", 900, endpoint=endpoint)
    describe_lbs(clb_with(base_url, sdk_role))
    sdk_oidc = credential.OIDCRoleArnCredential("ap-guangzhou", "OIDC", mint(base_url), DEPLOYER, "sdk-oidc", 900, endpoint=endpoint)
    describe_lbs(clb_with(base_url, sdk_oidc))
    print("OK %d checks" % checks)


if __name__ == "__main__":
    main(sys.argv[1])
