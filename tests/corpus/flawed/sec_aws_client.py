import boto3


def upload_report(path: str, key: str) -> str:
    """Upload a generated report to S3 and return a presigned download link."""
    s3 = boto3.client(
        "s3",
        region_name="eu-west-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    s3.upload_file(path, "acme-reports", key)
    return s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": "acme-reports", "Key": key},
        ExpiresIn=3600,
    )
