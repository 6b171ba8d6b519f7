"""Reading a meeting's stored recording options back (pure)."""

import json

from salon.recording.options import (
    DEFAULT_S3_REGION,
    FileFormat,
    RecordingOptions,
    RecordingType,
    S3Destination,
    StartTrigger,
    recording_options,
)


def stored(recording: object) -> str:
    return json.dumps({"recording": recording})


def test_a_cloud_recording_to_s3_reads_back_with_its_bucket_prefix_and_default_region() -> None:
    options = recording_options(
        stored(
            {
                "type": "cloud",
                "startTrigger": "automatic-2nd-participant",
                "destination": {
                    "provider": "s3",
                    "bucket": "my-bucket/a/b/",
                    "accessKeyId": "id",
                    "accessKeySecret": "secret",
                    "fileFormat": "mkv",
                },
            }
        )
    )
    assert options == RecordingOptions(
        type=RecordingType.CLOUD,
        trigger=StartTrigger.AUTOMATIC_2ND,
        file_format=FileFormat.MKV,
        s3=S3Destination("my-bucket", "a/b", DEFAULT_S3_REGION, "id", "secret"),
    )


def test_no_recording_or_unreadable_options_mean_no_recording() -> None:
    for text in ("{}", "", "not json", stored("cloud"), json.dumps([1])):
        assert recording_options(text) == RecordingOptions()
    assert not recording_options("{}").cloud
