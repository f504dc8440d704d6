import boto3

BUCKET = "acme-reports"


def upload_report(path: str, key: str) -> str:
    """Upload a generated report to S3 and return a presigned download link.

    Credentials come from boto3's default chain (instance role, environment, profile).
    """
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.upload_file(path, BUCKET, key)
    return s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": BUCKET, "Key": key},
        ExpiresIn=3600,
    )
