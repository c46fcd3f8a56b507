output "bucket" {
  description = "Bucket name (ECO2_IMAGE__BUCKET)."
  value       = aws_s3_bucket.this.bucket
}

output "region" {
  description = "Region of the bucket (ECO2_IMAGE__REGION)."
  value       = aws_s3_bucket.this.region
}

output "role_arn" {
  description = "IAM role the API's pods assume through Pod Identity."
  value       = aws_iam_role.store.arn
}
