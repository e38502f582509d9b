import soloml

EXPECTED = {"identity_report", "LoadResult", "load_paths", "SolomlError", "Workspace", "__version__", "find_workspace", "init_workspace", "ExperimentSpec", "analyze_experiment", "monitor_project", "ProjectSpec", "TrainingSet", "audit_leakage", "build_scoring_frame", "build_training_set", "load_spec", "spec_from_answers", "table_spec", "train", "TrainReport", "TrainResult", "SolomlClassifier", "SolomlRegressor", "load_model", "save_model", "promote", "rollback", "ScoreResult", "create_app", "score_project", "serve", "run_demo", "generate_bluebird"}


def test_public_api_is_exactly_what_all_lists():
    assert set(soloml.__all__) == EXPECTED
    for name in soloml.__all__:
        assert hasattr(soloml, name), name


def test_an_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        soloml.not_a_public_name  # noqa: B018
