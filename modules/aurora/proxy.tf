# RDS Proxy: pooled, TLS-only, IAM-authenticated access using the cluster's managed secret.

data "aws_partition" "current" {}

resource "aws_iam_role" "proxy" {
  count = var.create_proxy ? 1 : 0

  name = "${var.name}-proxy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RdsProxyAssumesRole"
      Effect    = "Allow"
      Principal = { Service = "rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "proxy" {
  count = var.create_proxy ? 1 : 0

  name = "read-${var.name}-master-secret"
  role = aws_iam_role.proxy[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadTheClusterSecretOnly"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = [aws_rds_cluster.this.master_user_secret[0].secret_arn]
      },
      {
        Sid      = "DecryptTheSecretThroughSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.kms_key_arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "secretsmanager.${split(":", var.kms_key_arn)[3]}.amazonaws.com" }
        }
      },
    ]
  })
}

resource "aws_db_proxy" "this" {
  count = var.create_proxy ? 1 : 0

  name                   = var.name
  engine_family          = "POSTGRESQL"
  require_tls            = true
  idle_client_timeout    = 1800
  role_arn               = aws_iam_role.proxy[0].arn
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = [aws_security_group.proxy[0].id]

  auth {
    auth_scheme = "SECRETS"
    iam_auth    = "REQUIRED"
    secret_arn  = aws_rds_cluster.this.master_user_secret[0].secret_arn
    description = "Cluster-managed master secret; clients authenticate with IAM tokens"
  }

  tags = merge({ Name = var.name }, var.tags)
}

resource "aws_db_proxy_default_target_group" "this" {
  count = var.create_proxy ? 1 : 0

  db_proxy_name = aws_db_proxy.this[0].name

  connection_pool_config {
    max_connections_percent      = 90
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 120
  }
}

resource "aws_db_proxy_target" "this" {
  count = var.create_proxy ? 1 : 0

  db_proxy_name         = aws_db_proxy.this[0].name
  target_group_name     = aws_db_proxy_default_target_group.this[0].name
  db_cluster_identifier = aws_rds_cluster.this.cluster_identifier

  # The proxy can only register a cluster that has a writer.
  depends_on = [aws_rds_cluster_instance.this]
}
