"""`make bootstrap STAGE=prod` and `make throttle`, against moto: every resource
with its settings, written back for `chalice deploy`, idempotent on a rerun."""

from __future__ import annotations

import json
import shutil

import pytest

from kawal_deploy import bootstrap
from tests.conftest import ROOT


@pytest.fixture
def project(tmp_path, monkeypatch, aws):
    (tmp_path / ".chalice").mkdir()
    shutil.copy(ROOT / ".chalice" / "config.json", tmp_path / ".chalice" / "config.json")
    for name in bootstrap.stage_env("prod"):  # restored after the test
        monkeypatch.setenv(name, "unset")
    return tmp_path


def test_bootstrap_makes_the_stage_and_tells_chalice(project, aws):
    config_path = project / ".chalice" / "config.json"
    made = bootstrap.bootstrap("prod", config_path)
    env = json.loads(config_path.read_text())["stages"]["prod"]["environment_variables"]
    assert env["COGNITO_USER_POOL_ID"] == made["cognito_user_pool_id"]
    assert (
        env["TABLE_STREAM_ARN"] == made["table_stream_arn"]
        and "kawal-prod" in env["TABLE_STREAM_ARN"]
    )

    db, s3 = aws.client("dynamodb"), aws.client("s3")
    backups = db.describe_continuous_backups(TableName="kawal-prod")
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = db.describe_time_to_live(TableName="kawal-prod")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert db.describe_table(TableName="kawal-prod")["Table"]["StreamSpecification"][
        "StreamEnabled"
    ]
    block = s3.get_public_access_block(Bucket="kawal-prod-media")
    assert all(block["PublicAccessBlockConfiguration"].values())
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket="kawal-prod-media")["Rules"]
    assert rule["Filter"]["Prefix"] == "uploads/" and rule["Expiration"]["Days"] == 7
    encryption = s3.get_bucket_encryption(Bucket="kawal-prod-media")
    assert encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert "kawal-prod-squad-orange" in json.dumps(made["topics"])
    assert aws.client("kms").get_key_rotation_status(KeyId=made["contact_key"])[
        "KeyRotationEnabled"
    ]

    again = bootstrap.bootstrap("prod", config_path)  # a rerun changes nothing
    assert again["cognito_user_pool_id"] == made["cognito_user_pool_id"]
    assert again["contact_key"] == made["contact_key"]


def test_throttle_sets_the_stage_limits_on_the_deployed_api(project, aws):
    apigw = aws.client("apigateway")
    api = apigw.create_rest_api(name="kawal")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="api")
    deployed = project / ".chalice" / "deployed"
    deployed.mkdir()
    (deployed / "prod.json").write_text(
        json.dumps({"resources": [{"resource_type": "rest_api", "rest_api_id": api}]})
    )
    assert bootstrap.throttle("prod", project) == api
    settings = apigw.get_stage(restApiId=api, stageName="api")["methodSettings"]["*/*"]
    assert (settings["throttlingRateLimit"], settings["throttlingBurstLimit"]) == (50, 100)


def test_throttle_before_a_deploy_says_what_to_do(project):
    with pytest.raises(SystemExit, match="chalice deploy --stage prod"):
        bootstrap.throttle("prod", project)
