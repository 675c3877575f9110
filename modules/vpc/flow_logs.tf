# VPC Flow Logs to CloudWatch Logs (CMK-encrypted group, delivery role) and/or to S3.

data "aws_partition" "current" {}

resource "aws_cloudwatch_log_group" "flow_logs" {
  count = var.flow_logs.enable_cloudwatch ? 1 : 0

  name              = "/aws/vpc-flow-logs/${var.name}"
  retention_in_days = var.flow_logs.cloudwatch_retention
  kms_key_id        = var.flow_logs.cloudwatch_kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "flow_logs" {
  count = var.flow_logs.enable_cloudwatch ? 1 : 0

  name = "${var.name}-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "VpcFlowLogsDelivery"
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.flow_logs.enable_cloudwatch ? 1 : 0

  name = "deliver-to-${var.name}-flow-log-group"
  role = aws_iam_role.flow_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteThisLogGroupOnly"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
    }]
  })
}

resource "aws_flow_log" "cloudwatch" {
  count = var.flow_logs.enable_cloudwatch ? 1 : 0

  vpc_id               = aws_vpc.this.id
  traffic_type         = var.flow_logs.traffic_type
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn
  tags                 = merge({ Name = "${var.name}-cloudwatch" }, var.tags)
}

resource "aws_flow_log" "s3" {
  count = var.flow_logs.enable_s3 ? 1 : 0

  vpc_id               = aws_vpc.this.id
  traffic_type         = var.flow_logs.traffic_type
  log_destination_type = "s3"
  log_destination      = var.flow_logs.s3_key_prefix == "" ? var.flow_logs.s3_bucket_arn : "${var.flow_logs.s3_bucket_arn}/${var.flow_logs.s3_key_prefix}"
  tags                 = merge({ Name = "${var.name}-s3" }, var.tags)
}
