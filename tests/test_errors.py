from mapper.errors import ConfigError, MappingError, PublishError, ScriptSyntaxError


def test_mapping_error_renders_location_source_and_caret() -> None:
    err = ScriptSyntaxError("unexpected token", script="s3.js", line=4, column=3, source_line="  let x")
    assert str(err) == "s3.js:4:3: unexpected token\n      let x\n      ^"
    assert isinstance(err, MappingError)


def test_publish_error_names_status_code_and_key() -> None:
    err = PublishError("The bucket does not exist", key="a:b", status=404, code="NoSuchBucket", attempts=1)
    assert str(err) == "404 NoSuchBucket: The bucket does not exist (key 'a:b')"


def test_config_error_names_json_path() -> None:
    err = ConfigError("unknown method 'PUTT'", path="targets[0].address", source="conn.json")
    assert str(err) == "conn.json: targets[0].address: unknown method 'PUTT'"
