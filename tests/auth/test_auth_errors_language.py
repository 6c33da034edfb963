"""Sign-in mistakes answer in the reader's language: zh-CN by default, English with Accept-Language: en."""
from tests.fixtures import assert_chinese, assert_english, in_both_languages


def test_wrong_password_answers_in_chinese_by_default_and_english_on_request(app, make_staff):
    user = make_staff(district_admin=True)
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/login", json={"username": user.username, "password": "x"})
    assert zh["code"] == "invalid_credentials" and zh["status"] == 401
    assert zh["title"] == "用户名或密码错误" and zh["detail"] == "用户名或密码错误。"
    assert en["title"] == "Wrong sign-in details" and en["detail"] == "Wrong username or password."


def test_resident_sign_in_with_a_wrong_password_is_read_in_both_languages(app, community, make_resident):
    resident = make_resident(community, phone="13900001111")
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/resident-login",
                               json={"phone": resident.phone, "password": "wrong-one"})
    assert zh["detail"] == "手机号或密码错误。" and en["detail"] == "Wrong phone number or password."


def test_missing_fields_are_named_per_field_in_the_readers_language(app):
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/login", json={"username": "x"})
    assert zh["status"] == 422 and zh["code"] == "validation_failed"
    assert zh["errors"] == {"password": ["缺少必填字段。"]}
    assert en["errors"] == {"password": ["Missing data for required field."]}
    # the generic "well-formed but unable to be followed" is gone in both languages
    assert_chinese(zh["title"], zh["detail"])
    assert en["detail"] == "Some fields are missing or invalid; see the message of each field."


def test_missing_token_and_forged_token_are_read_in_both_languages(app):
    zh, en = in_both_languages(app, "GET", "/api/v1/auth/me")
    assert zh["code"] == "token_missing" and zh["status"] == 401
    assert_chinese(zh["title"], zh["detail"])
    assert en["detail"] == "A bearer token is required."
    zh, en = in_both_languages(app, "GET", "/api/v1/auth/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert zh["code"] == "token_invalid"
    assert_chinese(zh["title"], zh["detail"])
    assert_english(en["title"], en["detail"])


def test_role_error_names_the_role_needed(app, community, make_staff, login):
    worker = make_staff(worker=[community])
    headers = login(worker)
    zh, en = in_both_languages(app, "GET", "/api/v1/staff", headers=headers)
    assert zh["code"] == "role_required" and zh["status"] == 403
    assert "信用中心管理员" in zh["detail"]
    assert en["detail"] == "Your role does not allow this; it needs the role district admin."


def test_unknown_address_wrong_method_and_unreadable_json_are_read_in_both_languages(app):
    zh, en = in_both_languages(app, "GET", "/api/v1/no-such-thing")
    assert zh["code"] == "not_found" and zh["title"] == "未找到" and en["title"] == "Not found"
    assert_chinese(zh["detail"])
    zh, en = in_both_languages(app, "DELETE", "/api/v1/auth/login")
    assert zh["code"] == "method_not_allowed" and zh["status"] == 405
    assert_chinese(zh["title"], zh["detail"])
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/login", data="{nope", content_type="application/json")
    assert zh["code"] == "malformed_json" and zh["detail"] == "请求内容不是有效的 JSON。"
    assert en["detail"] == "The request body is not valid JSON."


def test_english_variants_and_quality_values_choose_english(app):
    for header in ("en-GB", "en-US,en;q=0.9", "fr;q=0.9, en;q=0.8"):
        response = app.test_client().get("/api/v1/auth/me", headers={"Accept-Language": header})
        assert response.get_json()["detail"] == "A bearer token is required.", header
    for header in ("zh-CN", "zh-TW,zh;q=0.9", "de", "*"):
        response = app.test_client().get("/api/v1/auth/me", headers={"Accept-Language": header})
        assert_chinese(response.get_json()["detail"])


def test_too_many_sign_in_attempts_are_read_in_both_languages(app, client):
    # a different name each try, so the per-account lock does not answer before the per-address limit
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    for n in range(30):
        if client.post("/api/v1/auth/login", json={"username": f"nobody{n}", "password": "x"}).status_code == 429:
            break
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert zh["code"] == "rate_limited" and zh["status"] == 429
    assert zh["title"] == "请求过于频繁" and zh["detail"].startswith("请求过于频繁（上限：每 1 分钟")
    assert en["detail"].startswith("Too many requests (limit: ") and en["detail"].endswith("); try again shortly.")


def test_a_locked_account_is_read_in_both_languages(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/api/v1/auth/login", json={"username": "someone", "password": "x"})
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/login", json={"username": "someone", "password": "x"})
    assert zh["code"] == "account_locked" and zh["status"] == 423
    assert zh["detail"].startswith("该账户密码错误次数过多") and "分钟后再试" in zh["detail"]
    assert en["detail"].startswith("Too many wrong passwords for this account; try again in ")


def test_a_body_over_the_size_limit_is_refused_in_both_languages(app):
    app.config["MAX_CONTENT_LENGTH"] = 100
    zh, en = in_both_languages(app, "POST", "/api/v1/auth/login",
                               json={"username": "x" * 500, "password": "y"})
    assert zh["code"] == "payload_too_large" and zh["status"] == 413
    assert_chinese(zh["title"], zh["detail"])
    assert en["title"] == "Payload too large" and en["detail"] == "The request body is larger than the server accepts."
